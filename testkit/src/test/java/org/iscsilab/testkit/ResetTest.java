package org.iscsilab.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Known disks between tests: a RAM LUN or a file under an overlay reset to its first content,
 * snapshots taken and restored.
 */
class ResetTest {
    @TempDir Path dir;

    private static byte[] filled(int value) {
        byte[] b = new byte[512];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void aResetLunReadsAsItStartedEvenAfterAResize() throws Exception {
        try (IscsiTarget target = IscsiTarget.builder().lun("ram:1M,thin").start();
                BlockDevice disk = target.connect(0)) {
            disk.write(7, filled(7));
            target.embedded().device().logicalUnit(0).resize(2 << 20);
            target.reset(0);
            assertArrayEquals(new byte[512], disk.read(7, 1));
            assertEquals(
                    2048,
                    disk.blocks(),
                    "the capacity went back too, seen as CAPACITY DATA HAS CHANGED");
        }
    }

    @Test
    void aSnapshotRestoresTheContentItSaw() throws Exception {
        try (IscsiTarget target = IscsiTarget.builder().lun("ram:4M").start();
                BlockDevice disk = target.connect(0)) {
            disk.write(100, filled(1));
            IscsiTarget.DiskSnapshot saved = target.snapshot(0);
            disk.write(100, filled(2));
            disk.write(5000, filled(3));
            target.restore(saved);
            assertArrayEquals(filled(1), disk.read(100, 1));
            assertArrayEquals(new byte[512], disk.read(5000, 1));
        }
    }

    @Test
    void aFileUnderAnOverlayResetsToTheFileWhichNeverChanged() throws Exception {
        Path golden = dir.resolve("golden.img");
        byte[] content = new byte[1 << 20];
        new Random(17).nextBytes(content);
        Files.write(golden, content);
        try (IscsiTarget target =
                        IscsiTarget.builder().lun("file:" + golden + ",overlay,thin").start();
                BlockDevice disk = target.connect(0)) {
            disk.write(7, filled(7));
            disk.unmap(100, 8);
            disk.flush();
            assertArrayEquals(filled(7), disk.read(7, 1));

            target.reset(0);

            assertArrayEquals(Arrays.copyOfRange(content, 0, 128 * 512), disk.read(0, 128));
        }
        assertArrayEquals(content, Files.readAllBytes(golden), "the file was never written");
    }

    @Test
    void aPlainFileLunCannotBeResetAndSaysHowToMakeOne() throws Exception {
        try (IscsiTarget target =
                IscsiTarget.builder().lun("file:" + dir.resolve("d.img") + ":1M").start()) {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> target.reset(0));
            assertTrue(e.getMessage().contains("file:PATH,overlay"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> target.snapshot(0));
        }
    }
}
