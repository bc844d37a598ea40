package org.iscsilab.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An overlay reads the file until written, never changes it, and drops its writes on reset. */
class OverlayStoreTest {
    private static final int SIZE = 1 << 20;

    @TempDir Path dir;

    private Path golden(byte[] content) throws IOException {
        Path p = dir.resolve("golden.img");
        Files.write(p, content);
        return p;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] read(BackingStore s, long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        s.read(offset, b);
        assertEquals(length, b.position(), "the read fills the buffer");
        return b.array();
    }

    @Test
    void readsTheFileWritesTheScratchLayerAndLeavesTheFileAsItWas() throws IOException {
        byte[] content = random(SIZE, 1);
        Path file = golden(content);
        try (OverlayStore o = new OverlayStore(file, 0)) {
            assertEquals(SIZE, o.capacityBytes());
            assertArrayEquals(content, read(o, 0, SIZE));

            byte[] block = random(4096, 2);
            o.write(8192, ByteBuffer.wrap(block), true);
            o.flush();

            byte[] expected = content.clone();
            System.arraycopy(block, 0, expected, 8192, block.length);
            // a read across the written block mixes both layers
            assertArrayEquals(Arrays.copyOfRange(expected, 4096, 16384), read(o, 4096, 12288));
            assertEquals(4096, o.scratchBytes());
        }
        assertArrayEquals(content, Files.readAllBytes(file), "the file never changes");
    }

    @Test
    void restoringTheFirstImageDropsEveryWrite() throws IOException {
        byte[] content = random(SIZE, 3);
        try (OverlayStore o = new OverlayStore(golden(content), 0)) {
            Snapshots.Image initial = o.take();
            o.write(0, ByteBuffer.wrap(random(65536, 4)), false);
            o.unmap(131072, 65536);
            o.resize(SIZE / 2);
            o.resize(SIZE);

            o.restore(initial);

            assertEquals(SIZE, o.capacityBytes());
            assertEquals(0, o.scratchBytes());
            assertArrayEquals(content, read(o, 0, SIZE));
        }
    }

    @Test
    void aSnapshotTakenAfterWritesComesBackWithThem() throws IOException {
        byte[] content = random(SIZE, 5);
        try (OverlayStore o = new OverlayStore(golden(content), 0)) {
            byte[] first = random(512, 6);
            o.write(1024, ByteBuffer.wrap(first), false);
            Snapshots.Image afterFirst = o.take();
            o.write(1024, ByteBuffer.wrap(random(512, 7)), false);
            o.write(2048, ByteBuffer.wrap(random(512, 8)), false);

            o.restore(afterFirst);

            byte[] expected = content.clone();
            System.arraycopy(first, 0, expected, 1024, 512);
            assertArrayEquals(expected, read(o, 0, SIZE));
        }
    }

    @Test
    void unmappedSectorsReadAsZerosNotAsTheFile() throws IOException {
        byte[] content = random(SIZE, 9);
        try (OverlayStore o = new OverlayStore(golden(content), 0)) {
            o.unmap(4096, 8192);
            byte[] expected = content.clone();
            Arrays.fill(expected, 4096, 12288, (byte) 0);
            assertArrayEquals(expected, read(o, 0, SIZE));
        }
    }

    @Test
    void bytesCutByAShrinkReadAsZerosWhenTheUnitGrowsAgain() throws IOException {
        byte[] content = random(SIZE, 10);
        try (OverlayStore o = new OverlayStore(golden(content), 0)) {
            o.resize(SIZE / 4);
            o.resize(SIZE * 2);
            byte[] expected = new byte[SIZE * 2];
            System.arraycopy(content, 0, expected, 0, SIZE / 4);
            assertArrayEquals(expected, read(o, 0, SIZE * 2));
        }
    }

    @Test
    void aWriteInsideOneSectorKeepsTheRestOfThatSectorFromTheFile() throws IOException {
        byte[] content = random(SIZE, 11);
        try (OverlayStore o = new OverlayStore(golden(content), 0)) {
            o.write(700, ByteBuffer.wrap(new byte[] {1, 2, 3}), false);
            byte[] expected = content.clone();
            expected[700] = 1;
            expected[701] = 2;
            expected[702] = 3;
            assertArrayEquals(Arrays.copyOfRange(expected, 0, 2048), read(o, 0, 2048));
        }
    }

    @Test
    void randomWritesAgreeWithAPlainCopyOfTheFile() throws IOException {
        byte[] content = random(SIZE, 12);
        byte[] model = content.clone();
        Random r = new Random(13);
        try (OverlayStore o = new OverlayStore(golden(content), 0)) {
            for (int i = 0; i < 300; i++) {
                int at = r.nextInt(SIZE - 8192);
                int n = 1 + r.nextInt(8192);
                if (r.nextInt(4) == 0) {
                    o.unmap(at, n);
                    Arrays.fill(model, at, at + n, (byte) 0);
                } else {
                    byte[] data = random(n, i);
                    o.write(at, ByteBuffer.wrap(data), false);
                    System.arraycopy(data, 0, model, at, n);
                }
                int from = r.nextInt(SIZE - 16384);
                assertArrayEquals(
                        Arrays.copyOfRange(model, from, from + 16384),
                        read(o, from, 16384),
                        "after operation " + i);
            }
        }
    }
}
