package org.iscsilab.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseKey;
import org.iscsilab.testcontainers.IscsiTargetContainer;
import org.iscsilab.testkit.BlockDevice;
import org.iscsilab.testkit.FaultHandle;
import org.iscsilab.testkit.Faults;
import org.iscsilab.testkit.IscsiTargetExtension;
import org.iscsilab.testkit.ScsiCommandException;
import org.iscsilab.testkit.TargetControl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * MediumErrorExampleTest against the target image instead of the embedded target: the test body is
 * the same, only the line that makes the target differs. The image is the one built from
 * docker/Dockerfile ({@code -Discsilab.image=...}).
 */
@Testcontainers(disabledWithoutDocker = true)
@EnabledIfSystemProperty(named = "iscsilab.image", matches = ".+")
class ContainerExampleTest {
    private static final String IMAGE =
            System.getProperty("iscsilab.image", "iscsilab/target:latest");

    @RegisterExtension
    static IscsiTargetExtension target =
            new IscsiTargetContainer(IMAGE).withLun("ram:64M").asExtension();

    @Test
    void readsInTheBadRangeFailWithMediumErrorAndTheRestSucceed(
            TargetControl control, BlockDevice disk) {
        FaultHandle bad = control.add(Faults.mediumError().lun(0).lbas(100, 199).reads());

        ScsiCommandException e = assertThrows(ScsiCommandException.class, () -> disk.read(150, 8));
        assertEquals(SenseKey.MEDIUM_ERROR, e.senseKey());
        assertEquals(0x11, e.asc(), "UNRECOVERED READ ERROR");

        assertArrayEquals(new byte[8 * 512], disk.read(300, 8), "outside the range");
        disk.write(150, new byte[8 * 512]); // writes are not in the rule
        assertEquals(1, bad.fired());
        assertEquals(
                1,
                control.events().commands().opcode(ScsiOpcode.READ_16).status("CHECK_CONDITION")
                        .count());
    }
}
