package org.iscsilab.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Known disks between tests: a RAM LUN or a file under an overlay reset to its first content,
 * snapshots taken and restored; the same in the test's JVM and over the admin API.
 */
class ResetTest {
    @TempDir Path dir;

    private static TargetControl control(IscsiTarget target, String way) throws Exception {
        return way.equals("embedded")
                ? target
                : TargetControl.remote(target.embedded().startAdmin().toString());
    }

    private static byte[] filled(int value) {
        byte[] b = new byte[512];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"embedded", "remote"})
    void aResetLunReadsAsItStartedEvenAfterAResize(String way) throws Exception {
        try (IscsiTarget target = IscsiTarget.builder().lun("ram:1M,thin").start();
                BlockDevice disk = target.connect(0)) {
            TargetControl control = control(target, way);
            disk.write(7, filled(7));
            control.resizeLun(0, 2 << 20);

            control.reset(0);

            assertArrayEquals(new byte[512], disk.read(7, 1));
            assertEquals(
                    2048,
                    disk.blocks(),
                    "the capacity went back too, seen as CAPACITY DATA HAS CHANGED");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"embedded", "remote"})
    void aLunAddedLaterResetsToWhatItWasMadeWith(String way) throws Exception {
        try (IscsiTarget target = IscsiTarget.builder().lun("ram:1M").start()) {
            TargetControl control = control(target, way);
            int lun = control.addLun("ram:2M");
            try (BlockDevice disk = target.connect(lun)) {
                disk.write(9, filled(9));
                control.resetAll();
                assertArrayEquals(new byte[512], disk.read(9, 1));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"embedded", "remote"})
    void aSnapshotRestoresTheContentItSaw(String way) throws Exception {
        try (IscsiTarget target = IscsiTarget.builder().lun("ram:4M").start();
                BlockDevice disk = target.connect(0)) {
            TargetControl control = control(target, way);
            disk.write(100, filled(1));
            DiskSnapshot saved = control.snapshot(0);
            disk.write(100, filled(2));
            disk.write(5000, filled(3));

            control.restore(saved);

            assertArrayEquals(filled(1), disk.read(100, 1));
            assertArrayEquals(new byte[512], disk.read(5000, 1));
            control.drop(saved);
            assertThrows(IllegalArgumentException.class, () -> control.restore(saved));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"embedded", "remote"})
    void aFileUnderAnOverlayResetsToTheFileWhichNeverChanged(String way) throws Exception {
        Path golden = dir.resolve("golden.img");
        byte[] content = new byte[1 << 20];
        new Random(17).nextBytes(content);
        Files.write(golden, content);
        try (IscsiTarget target =
                        IscsiTarget.builder().lun("file:" + golden + ",overlay,thin").start();
                BlockDevice disk = target.connect(0)) {
            TargetControl control = control(target, way);
            disk.write(7, filled(7));
            disk.unmap(100, 8);
            disk.flush();
            assertArrayEquals(filled(7), disk.read(7, 1));

            control.reset(0);

            assertArrayEquals(Arrays.copyOfRange(content, 0, 128 * 512), disk.read(0, 128));
        }
        assertArrayEquals(content, Files.readAllBytes(golden), "the file was never written");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"embedded", "remote"})
    void aPlainFileLunCannotBeResetAndSaysHowToMakeOne(String way) throws Exception {
        try (IscsiTarget target =
                IscsiTarget.builder().lun("file:" + dir.resolve("d.img") + ":1M").start()) {
            TargetControl control = control(target, way);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> control.reset(0));
            assertTrue(e.getMessage().contains("file:PATH,overlay"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> control.snapshot(0));
            control.resetAll(); // resets what can be reset: nothing here, and no error
        }
    }
}
