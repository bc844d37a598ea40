package org.iscsilab.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.iscsilab.testkit.BlockDevice;
import org.iscsilab.testkit.CommandTimeoutException;
import org.iscsilab.testkit.FaultHandle;
import org.iscsilab.testkit.Faults;
import org.iscsilab.testkit.IscsiTarget;
import org.iscsilab.testkit.IscsiTargetExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A target that stops answering: the command times out, and the disk works once it thaws. */
class FrozenTargetExampleTest {
    @RegisterExtension
    static IscsiTargetExtension target = IscsiTargetExtension.withLun("ram:64M");

    @Test
    void aFrozenTargetIsATimeoutThenTheSameDiskRecovers(IscsiTarget iscsi, BlockDevice disk) {
        disk.commandTimeout(Duration.ofSeconds(1));
        FaultHandle freeze = iscsi.add(Faults.freeze().forDuration(Duration.ofSeconds(30)));

        CommandTimeoutException e =
                assertThrows(CommandTimeoutException.class, () -> disk.read(0, 8));
        assertEquals(Duration.ofSeconds(1), e.timeout());

        freeze.remove(); // the target thaws: it reads what waited and answers again
        assertArrayEquals(new byte[8 * 512], disk.read(0, 8));
    }
}
