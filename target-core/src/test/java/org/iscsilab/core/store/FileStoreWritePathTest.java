package org.iscsilab.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.iscsilab.core.LunSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file store's write path: gathered pieces land byte-exact, FUA writes share forces without
 * being acknowledged before one that began after them, and O_DIRECT works where the file system
 * allows it and is refused, saying so, where it does not.
 */
class FileStoreWritePathTest {
    private static final int SIZE = 4 << 20;

    /** {@code data} cut into pieces of the given sizes, alternately heap and direct buffers. */
    private static ByteBuffer[] pieces(byte[] data, int... sizes) {
        List<ByteBuffer> out = new ArrayList<>();
        int at = 0;
        for (int i = 0; at < data.length; i++) {
            int n = Math.min(sizes[i % sizes.length], data.length - at);
            ByteBuffer b =
                    i % 2 == 0 ? ByteBuffer.allocate(n + 3) : ByteBuffer.allocateDirect(n + 3);
            // the piece starts inside its buffer, as a slice of a received PDU does
            b.position(3);
            b.put(data, at, n).position(3);
            out.add(b);
            at += n;
        }
        return out.toArray(new ByteBuffer[0]);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void gatheredPiecesOfOddSizesLandByteExactAtTheirOffsets(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("g.img");
        byte[] expected = new byte[SIZE];
        try (FileStore f = new FileStore(p, SIZE, false)) {
            long[] offsets = {0, 4093, 1 << 20, SIZE - 300_001};
            int[][] cuts = {{1, 7, 4093}, {65_539, 3, 511}, {262_144}, {99_999, 1, 2, 200_000}};
            for (int i = 0; i < offsets.length; i++) {
                byte[] data = random(i == 3 ? 300_001 : 300_000 + i, i);
                ByteBuffer[] segs = pieces(data, cuts[i]);
                f.write(offsets[i], segs, i % 2 == 1);
                for (ByteBuffer s : segs) {
                    assertFalse(s.hasRemaining(), "a piece was not written out");
                }
                System.arraycopy(data, 0, expected, (int) offsets[i], data.length);
            }
            ByteBuffer back = ByteBuffer.allocate(SIZE);
            f.read(0, back);
            assertArrayEquals(expected, back.array());
        }
        assertArrayEquals(expected, Files.readAllBytes(p));
    }

    @Test
    void concurrentGatheredWritesEachLandWhole(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("c.img");
        int writers = 8;
        int each = 256 * 1024 + 512;
        try (FileStore f = new FileStore(p, (long) writers * each, false)) {
            Concurrently.run(
                    writers,
                    id -> {
                        for (int round = 0; round < 20; round++) {
                            byte[] d = random(each, id * 100 + round);
                            f.write((long) id * each, pieces(d, 65_536, 48, 131_072), false);
                        }
                    });
            for (int w = 0; w < writers; w++) {
                ByteBuffer back = ByteBuffer.allocate(each);
                f.read((long) w * each, back);
                assertArrayEquals(random(each, w * 100 + 19), back.array(), "writer " + w);
            }
        }
    }

    /**
     * N FUA writes at once on a real file: fewer forces than writes, and each write acknowledged
     * only once a force that began after it was written has ended. The first force holds until the
     * other writers queue behind it, so the batching does not depend on timing.
     */
    @Test
    void concurrentFuaWritesShareForcesAndAreEachCovered(@TempDir Path dir) throws Exception {
        int writers = 8;
        Set<Integer> written = ConcurrentHashMap.newKeySet();
        Set<Integer> durable = ConcurrentHashMap.newKeySet();
        AtomicReference<FileStore> store = new AtomicReference<>();
        CountDownLatch opened = new CountDownLatch(1);
        int[] started = {0};
        try (FileStore f =
                new FileStore(
                        dir.resolve("fua.img"),
                        1 << 20,
                        false,
                        false,
                        real ->
                                () -> {
                                    Set<Integer> atStart = Set.copyOf(written);
                                    if (started[0]++ == 0 && opened.getCount() == 0) {
                                        long until = System.nanoTime() + 10_000_000_000L;
                                        while (store.get().waitingForForce() < writers - 1
                                                && System.nanoTime() < until) {
                                            Thread.onSpinWait();
                                        }
                                    }
                                    real.force();
                                    durable.addAll(atStart);
                                })) {
            store.set(f);
            opened.countDown();
            Concurrently.run(
                    writers,
                    id -> {
                        byte[] d = random(4096, id);
                        f.write(id * 4096L, pieces(d, 1000, 3096), false);
                        written.add(id);
                        if (id % 2 == 0) {
                            f.write(id * 4096L, ByteBuffer.wrap(d), true);
                        } else {
                            f.flush(); // SYNCHRONIZE CACHE
                        }
                        assertTrue(durable.contains(id), "acknowledged " + id);
                    });
            assertEquals(2, f.forceCount());
        }
    }

    @Test
    void directWritesAndReadsBackByteExactOnADiskFileSystem(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("direct.img");
        byte[] expected = new byte[SIZE];
        try (FileStore f = new FileStore(p, SIZE, false, true)) {
            int a = f.directAlignment();
            assertTrue(a >= 512, "alignment " + a);
            assertTrue(f.describe().endsWith("direct"), f.describe());
            assertTrue(f.fileSpans().isEmpty(), "no sendfile past O_DIRECT");
            // unaligned pieces (copied through the aligned buffer), larger than that buffer
            byte[] big = random(2 * (1 << 20) + 2 * a, 1);
            f.write(a, pieces(big, 48, 262_144, 7, 65_536), true);
            System.arraycopy(big, 0, expected, a, big.length);
            // one heap buffer
            byte[] small = random(a, 2);
            f.write(SIZE - a, ByteBuffer.wrap(small), false);
            System.arraycopy(small, 0, expected, SIZE - a, a);
            // aligned direct buffers go as they are
            ByteBuffer al = ByteBuffer.allocateDirect(4 * a + 4096).alignedSlice(4096);
            byte[] third = random(4 * a, 3);
            al.put(third).flip();
            f.write(3L << 20, new ByteBuffer[] {al.slice(0, 2 * a), al.slice(2 * a, 2 * a)}, false);
            System.arraycopy(third, 0, expected, 3 << 20, third.length);
            f.flush();

            ByteBuffer heap = ByteBuffer.allocate(SIZE);
            f.read(0, heap);
            assertArrayEquals(expected, heap.array());
            ByteBuffer aligned = ByteBuffer.allocateDirect(2 * a + 4096).alignedSlice(4096);
            f.read(a, aligned);
            byte[] got = new byte[2 * a];
            aligned.flip().get(got);
            assertArrayEquals(Arrays.copyOfRange(expected, a, 3 * a), got);
            assertThrows(IllegalArgumentException.class, () -> f.read(1, ByteBuffer.allocate(a)));
        }
        assertArrayEquals(expected, Files.readAllBytes(p));
    }

    /**
     * A file system without O_DIRECT (sysfs here; tmpfs before Linux 6.6) refuses a direct store
     * when it is made, and says why.
     */
    @Test
    void directIsRefusedWhereTheFileSystemRefusesODirect() {
        Path sysfs = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        Assumptions.assumeTrue(Files.isRegularFile(sysfs), "no sysfs file to try");
        IOException e = assertThrows(IOException.class, () -> new FileStore(sysfs, 0, true, true));
        assertTrue(e.getMessage().contains("refuses O_DIRECT (direct)"), e.getMessage());
    }

    /**
     * /dev/shm: tmpfs refused O_DIRECT until Linux 6.6 and takes it since; either the LUN is
     * refused with the message or it reads back what it wrote.
     */
    @Test
    void directOnTmpfsIsRefusedWithTheMessageOrWorks() throws Exception {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isDirectory(shm), "no /dev/shm");
        Path p = Files.createTempFile(shm, "direct", ".img");
        try {
            LunSpec spec = LunSpec.parse("file:" + p + ":1M,direct,block=4096");
            BackingStore s;
            try {
                s = spec.openStore();
            } catch (IOException refused) {
                assertTrue(
                        refused.getMessage().contains("refuses O_DIRECT (direct)"),
                        refused.getMessage());
                return;
            }
            try (BackingStore store = s) {
                byte[] d = random(8192, 5);
                store.write(4096, pieces(d, 100, 5000), true);
                ByteBuffer back = ByteBuffer.allocate(8192);
                store.read(4096, back);
                assertArrayEquals(d, back.array());
            }
        } finally {
            Files.deleteIfExists(p);
        }
    }

    @Test
    void directLunWithBlocksSmallerThanTheFileSystemsIsRefused(@TempDir Path dir)
            throws IOException {
        Assumptions.assumeTrue(Files.getFileStore(dir).getBlockSize() == 4096);
        LunSpec spec = LunSpec.parse("file:" + dir.resolve("small.img") + ":1M,direct,block=512");
        IOException e = assertThrows(IOException.class, spec::openStore);
        assertTrue(e.getMessage().contains("add block=4096"), e.getMessage());
    }
}
