package org.iscsilab.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.testkit.BlockDevice;
import org.iscsilab.testkit.IscsiTarget;
import org.iscsilab.testkit.IscsiTargetExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A LUN grows under a connected disk, which learns it as Linux's sd does. */
class ResizeExampleTest {
    @RegisterExtension IscsiTargetExtension target = IscsiTargetExtension.withLun("ram:64M");

    @Test
    void aGrownLunIsSeenAsCapacityDataHasChanged(IscsiTarget iscsi, BlockDevice disk) {
        assertEquals(64L << 20, disk.capacityBytes());

        iscsi.resizeLun(0, 128L << 20);
        disk.read(0, 1); // meets the unit attention, reads the capacity again, retries

        assertTrue(disk.unitAttentions().contains(AdditionalSense.CAPACITY_DATA_HAS_CHANGED));
        assertEquals(128L << 20, disk.capacityBytes());
        disk.write(disk.blocks() - 1, new byte[disk.blockSize()]); // the new last block
    }
}
