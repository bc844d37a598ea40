package org.iscsilab.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.LoginRefusedException;
import org.iscsilab.scsi.SenseKey;
import org.junit.jupiter.api.Test;

/** A target described in a few lines, started for one test and gone after it. */
class IscsiTargetTest {
    @Test
    void aDescribedTargetServesItsLunsAsDisks() throws Exception {
        try (IscsiTarget target =
                        IscsiTarget.builder()
                                .iqn("iqn.2026-01.org.example:kit")
                                .lun("ram:16M")
                                .lun("ram:8M,block=4096")
                                .start();
                BlockDevice disk = target.connect(1)) {
            assertEquals(List.of(0, 1), target.luns());
            assertEquals("iqn.2026-01.org.example:kit", target.iqn());
            assertTrue(target.portal().getPort() > 0, "a free port was chosen");
            assertEquals(
                    "iscsi://127.0.0.1:"
                            + target.portal().getPort()
                            + "/iqn.2026-01.org.example:kit/1",
                    target.url(1));
            assertEquals(4096, disk.blockSize());
            byte[] block = new byte[4096];
            block[0] = 42;
            disk.write(3, block);
            assertArrayEquals(block, disk.read(3, 1));
        }
    }

    @Test
    void withChapItsDisksLogInWithTheSecretAndOthersAreRefused() throws Exception {
        try (IscsiTarget target =
                IscsiTarget.builder().chap("host", "twelve-bytes-secret").lun("ram:1M").start()) {
            try (BlockDevice disk = target.connect(0)) {
                assertEquals(2048, disk.blocks());
            }
            LoginRefusedException e =
                    assertThrows(
                            LoginRefusedException.class,
                            () ->
                                    BlockDevice.connect(
                                            target.portal(),
                                            InitiatorConfig.normal(target.iqn()),
                                            0));
            assertEquals(0x0201, e.statusClass() << 8 | e.statusDetail(), e.getMessage());
        }
    }

    @Test
    void faultRulesGivenAtTheStartAreInForce() throws Exception {
        try (IscsiTarget target =
                        IscsiTarget.builder()
                                .lun("ram:1M")
                                .fault("medium-error,lun=0,lba=10-19,op=read")
                                .start();
                BlockDevice disk = target.connect(0)) {
            ScsiCommandException e =
                    assertThrows(ScsiCommandException.class, () -> disk.read(12, 1));
            assertEquals(SenseKey.MEDIUM_ERROR, e.senseKey());
            disk.read(20, 1);
        }
    }

    @Test
    void aBadDescriptionFailsAtTheStartNamingWhatIsWrong() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> IscsiTarget.builder().lun("ram:0").start());
        assertTrue(e.getMessage().contains("ram:0"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> IscsiTarget.builder().chap("host", "short"));
    }

    @Test
    void aLunTheTargetLacksCannotBeConnected() throws Exception {
        try (IscsiTarget target = IscsiTarget.builder().lun("ram:1M").start()) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> target.connect(3));
            assertEquals("this target has no LUN 3; it has [0]", e.getMessage());
        }
    }
}
