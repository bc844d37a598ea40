package org.iscsilab.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseKey;
import org.iscsilab.testcontainers.IscsiTargetContainer;
import org.iscsilab.testkit.BlockDevice;
import org.iscsilab.testkit.Faults;
import org.iscsilab.testkit.ScsiCommandException;
import org.iscsilab.testkit.TargetControl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * MediumErrorExampleTest against the target image instead of the embedded target: the same
 * TargetControl, over the container's admin API. The image is the one built from docker/Dockerfile
 * ({@code -Discsilab.image=...}).
 */
@Testcontainers(disabledWithoutDocker = true)
@EnabledIfSystemProperty(named = "iscsilab.image", matches = ".+")
class ContainerExampleTest {
    @Container
    static IscsiTargetContainer target =
            new IscsiTargetContainer(System.getProperty("iscsilab.image", "iscsilab/target:latest"))
                    .withLun("ram:64M");

    @Test
    void readsInTheBadRangeFailWithMediumErrorAndTheRestSucceed() {
        TargetControl control = target.control();
        control.add(Faults.mediumError().lun(0).lbas(100, 199).reads());

        try (BlockDevice disk = target.connect(0)) {
            ScsiCommandException e =
                    assertThrows(ScsiCommandException.class, () -> disk.read(150, 8));
            assertEquals(SenseKey.MEDIUM_ERROR, e.senseKey());
            assertArrayEquals(new byte[8 * 512], disk.read(300, 8), "outside the range");
        }
        assertEquals(
                1,
                control.events().commands().opcode(ScsiOpcode.READ_16).status("CHECK_CONDITION")
                        .count());
    }
}
