package org.iscsilab.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backing stores keep bytes where they were written; RAM allocates only what was written. */
class StoresTest {
    @Test
    void ramStoreIsSparseAndAllocatesOnlyWrittenChunks() {
        RamStore ram = new RamStore(1L << 40);
        assertEquals(0, ram.allocatedBytes());
        ram.write(123_456_789_000L, ByteBuffer.wrap(new byte[] {1, 2, 3}), false);
        assertEquals(RamStore.CHUNK_SIZE, ram.allocatedBytes());
        ByteBuffer back = ByteBuffer.allocate(5);
        ram.read(123_456_788_999L, back);
        assertArrayEquals(new byte[] {0, 1, 2, 3, 0}, back.array());
    }

    @Test
    void ramStoreWritesAcrossChunkBoundaries() {
        RamStore ram = new RamStore(1 << 20);
        byte[] data = new byte[RamStore.CHUNK_SIZE + 100];
        new Random(1).nextBytes(data);
        ram.write(RamStore.CHUNK_SIZE - 50, ByteBuffer.wrap(data), false);
        ByteBuffer back = ByteBuffer.allocate(data.length);
        ram.read(RamStore.CHUNK_SIZE - 50, back);
        assertArrayEquals(data, back.array());
    }

    @Test
    void fileStoreExtendsSparselyAndPersists(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("d.img");
        try (FileStore f = new FileStore(p, 8 << 20, false)) {
            assertEquals(8 << 20, Files.size(p));
            f.write(4096, ByteBuffer.wrap(new byte[] {9, 8, 7}), true);
        }
        try (FileStore f = new FileStore(p, 0, true)) {
            assertEquals(8 << 20, f.capacityBytes());
            ByteBuffer b = ByteBuffer.allocate(3);
            f.read(4096, b);
            assertArrayEquals(new byte[] {9, 8, 7}, b.array());
        }
    }

    @Test
    void fileStoreUnmapPunchesAHoleThatReadsAsZerosAndFreesTheSpace(@TempDir Path dir)
            throws Exception {
        Path p = dir.resolve("thin.img");
        byte[] data = new byte[4 << 20];
        new Random(4).nextBytes(data);
        try (FileStore f = new FileStore(p, 4 << 20, false)) {
            f.write(0, ByteBuffer.wrap(data), true);
            long before = allocatedBytes(p);
            f.unmap(1 << 20, 2 << 20);
            f.flush();
            assertEquals(4 << 20, Files.size(p), "the file keeps its size");
            long freed = before - allocatedBytes(p);
            assertEquals(2 << 20, freed, "the 2 MiB range went back to the file system");
            ByteBuffer back = ByteBuffer.allocate(4 << 20);
            f.read(0, back);
            byte[] expected = data.clone();
            Arrays.fill(expected, 1 << 20, 3 << 20, (byte) 0);
            assertArrayEquals(expected, back.array());
        }
    }

    /** The file's allocated size as stat(1) reports it (st_blocks of 512 bytes). */
    private static long allocatedBytes(Path p) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%b", p.toString()).start();
        String out = new String(stat.getInputStream().readAllBytes()).strip();
        assertEquals(0, stat.waitFor(), "stat " + p);
        return Long.parseLong(out) * 512;
    }

    @Test
    void anEmptyFileWithoutASizeIsRefusedWithAHint(@TempDir Path dir) {
        Exception e =
                assertThrows(
                        IOException.class, () -> new FileStore(dir.resolve("e.img"), 0, false));
        assertEquals(true, e.getMessage().contains("give a size"));
    }

    @Test
    void nullStoreReadsZerosAndDiscardsWrites() {
        NullStore n = new NullStore(1L << 40);
        n.write(0, ByteBuffer.wrap(new byte[] {1}), false);
        ByteBuffer b = ByteBuffer.allocate(4);
        b.put(0, (byte) 5);
        n.read(0, b);
        assertArrayEquals(new byte[4], b.array());
    }

    @Test
    void sizesParseBinarySuffixesAndExplainMistakes() {
        assertEquals(1L << 30, Sizes.parse("1G"));
        assertEquals(512, Sizes.parse("512"));
        assertEquals(64L << 20, Sizes.parse("64MiB"));
        assertEquals("1 GiB", Sizes.format(1L << 30));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Sizes.parse("lots"));
        assertEquals(true, e.getMessage().contains("512M"));
    }
}
