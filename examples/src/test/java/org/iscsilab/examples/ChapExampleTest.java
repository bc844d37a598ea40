package org.iscsilab.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.iscsilab.iscsi.initiator.LoginRefusedException;
import org.iscsilab.testkit.BlockDevice;
import org.iscsilab.testkit.IscsiTarget;
import org.junit.jupiter.api.Test;

/** A target that asks for CHAP: the right secret gets a disk, a wrong one gets nothing. */
class ChapExampleTest {
    @Test
    void onlyTheRightSecretLogsIn() throws Exception {
        try (IscsiTarget target =
                IscsiTarget.builder().lun("ram:16M").chap("backup", "s3cret-s3cret").start()) {
            try (BlockDevice disk = target.connect(0, "backup", "s3cret-s3cret")) {
                byte[] block = new byte[disk.blockSize()];
                block[0] = 42;
                disk.write(0, block);
                assertArrayEquals(block, disk.read(0, 1));
            }

            LoginRefusedException refused =
                    assertThrows(
                            LoginRefusedException.class,
                            () -> target.connect(0, "backup", "not-the-secret"));
            assertEquals(2, refused.statusClass(), "initiator error (RFC 7143 §11.13.5)");
            assertEquals(1, refused.statusDetail(), "authentication failure");
            assertEquals(1, target.events().logins().status("FAILED").count());
        }
    }
}
