package org.iscsilab.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseKey;
import org.iscsilab.testkit.BlockDevice;
import org.iscsilab.testkit.FaultHandle;
import org.iscsilab.testkit.Faults;
import org.iscsilab.testkit.IscsiTargetExtension;
import org.iscsilab.testkit.ScsiCommandException;
import org.iscsilab.testkit.TargetControl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A reader meets a medium error on a range of blocks, and only there. ContainerExampleTest is this
 * test against the target image: only the line that makes the target differs.
 */
class MediumErrorExampleTest {
    @RegisterExtension
    static IscsiTargetExtension target = IscsiTargetExtension.withLun("ram:64M");

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
