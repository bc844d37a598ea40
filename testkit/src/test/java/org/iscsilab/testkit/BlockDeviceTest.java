package org.iscsilab.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.iscsi.initiator.LoginRefusedException;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseKey;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.Test;

/** A LUN as a disk: what a test that is not about SCSI needs, with Linux's handling of errors. */
class BlockDeviceTest {
    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    private static BlockDevice open(EmbeddedTarget t, int lun) {
        return BlockDevice.connect(t.address(), t.iqn(), lun);
    }

    @Test
    void aFreshDiskReportsItsSizeWithoutTheCallerSeeingThePowerOnUnitAttention() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M,block=4096");
                BlockDevice disk = open(t, 0)) {
            assertEquals(4096, disk.blockSize());
            assertEquals(4096, disk.blocks());
            assertEquals(16 << 20, disk.capacityBytes());
        }
    }

    @Test
    void whatIsWrittenByBlockOrByByteOffsetReadsBack() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M");
                BlockDevice disk = open(t, 0)) {
            byte[] data = pattern(8 * 512, 7);
            disk.write(100, data);
            assertArrayEquals(data, disk.read(100, 8));
            assertArrayEquals(data, disk.readBytes(100 * 512, 8 * 512));
            byte[] more = pattern(1024, 9);
            disk.writeBytes(4096, more);
            assertArrayEquals(more, disk.read(8, 2));
            disk.writeDurably(0, more);
            disk.flush();
            assertEquals(
                    2,
                    t.events()
                            .events(
                                    e ->
                                            e.opcode() == ScsiOpcode.SYNCHRONIZE_CACHE_16
                                                    || e.opcode() == ScsiOpcode.WRITE_16
                                                            && e.lba() == 0)
                            .size());
        }
    }

    @Test
    void unmappedBlocksOfAThinLunReadAsZeros() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M,thin");
                BlockDevice disk = open(t, 0)) {
            disk.write(0, pattern(4096, 3));
            disk.unmap(0, 8);
            assertArrayEquals(new byte[4096], disk.read(0, 8));
        }
    }

    @Test
    void aMediumErrorIsATypedExceptionWithTheSense() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M");
                BlockDevice disk = open(t, 0)) {
            t.faults().add("medium-error,lun=0,lba=100-199,op=read");
            ScsiCommandException e =
                    assertThrows(ScsiCommandException.class, () -> disk.read(150, 1));
            assertEquals(0x02, e.status(), "CHECK CONDITION");
            assertEquals(SenseKey.MEDIUM_ERROR, e.senseKey());
            assertEquals(0x11, e.asc());
            assertEquals(0x00, e.ascq());
            assertTrue(e.senseBytes().length >= 8);
            assertEquals("READ(16) LBA 150 x 1", e.command());
            assertEquals(
                    1,
                    t.events().events(ev -> ev.type() == EventLog.Type.FAULT).size(),
                    "not retried");
        }
    }

    @Test
    void busyAndUnitAttentionsAreRetriedAsLinuxDoes() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M");
                BlockDevice disk = open(t, 0)) {
            t.faults().add("busy,lun=0,op=read,every=2");
            byte[] zeros = new byte[512];
            for (int i = 0; i < 6; i++) {
                assertArrayEquals(zeros, disk.read(i, 1));
            }
            t.faults().add("unit-attention,sense=29/00,lun=0,once");
            assertArrayEquals(zeros, disk.read(0, 1));
        }
    }

    @Test
    void aResizeSeenAsCapacityDataHasChangedUpdatesTheCapacity() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M");
                BlockDevice disk = open(t, 0)) {
            t.device().logicalUnit(0).resize(32 << 20);
            disk.read(0, 1); // gets CAPACITY DATA HAS CHANGED, re-reads the capacity, retries
            assertEquals(65536, disk.blocks());
            List<AdditionalSense> seen = disk.unitAttentions();
            assertEquals(AdditionalSense.CAPACITY_DATA_HAS_CHANGED, seen.get(seen.size() - 1));
            assertEquals(0x29, seen.get(0).asc(), "POWER ON, RESET first, at connect");
        }
    }

    @Test
    void aCommandTheTargetDoesNotAnswerTimesOutIsAbortedAndTheDiskGoesOn() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M");
                BlockDevice disk = open(t, 0)) {
            disk.commandTimeout(Duration.ofMillis(500));
            t.faults().add("hang,op=read,lun=0");

            CommandTimeoutException e =
                    assertThrows(CommandTimeoutException.class, () -> disk.read(3, 1));

            assertTrue(e.abortAnswered(), "the target answered ABORT TASK: " + e.getMessage());
            assertEquals(Duration.ofMillis(500), e.timeout());
            assertTrue(e.command().startsWith("READ"), e.command());
            assertEquals(
                    1,
                    t.events()
                            .count(
                                    ev ->
                                            ev.type() == EventLog.Type.TASK_MANAGEMENT
                                                    && ev.detail().equals("function 1")),
                    "one ABORT TASK (function 1, RFC 7143 §11.5.1)");
            t.faults().clear();
            assertArrayEquals(new byte[512], disk.read(3, 1));
        }
    }

    @Test
    void aFrozenTargetAnswersNeitherTheCommandNorItsAbort() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M");
                BlockDevice disk = open(t, 0)) {
            disk.commandTimeout(Duration.ofMillis(300));
            t.faults().add("freeze");
            CommandTimeoutException e =
                    assertThrows(CommandTimeoutException.class, () -> disk.read(0, 1));
            assertFalse(e.abortAnswered());
            t.faults().clear();
            assertArrayEquals(new byte[512], disk.read(0, 1), "the same session, thawed");
        }
    }

    @Test
    void aTimeoutMustBePositive() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:1M");
                BlockDevice disk = open(t, 0)) {
            assertThrows(IllegalArgumentException.class, () -> disk.commandTimeout(Duration.ZERO));
        }
    }

    @Test
    void aRefusedLoginIsTypedWithItsStatus() throws Exception {
        try (IscsiTarget target =
                IscsiTarget.builder().lun("ram:1M").chap("user", "secret-secret").start()) {
            LoginRefusedException e =
                    assertThrows(
                            LoginRefusedException.class,
                            () -> target.connect(0, "user", "wrong-secret"));
            assertEquals(0x02, e.statusClass());
            assertEquals(0x01, e.statusDetail(), "authentication failure");
            target.connect(0, "user", "secret-secret").close();
        }
    }

    @Test
    void rawCommandsReturnTheirResultWhateverTheStatus() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M");
                BlockDevice disk = open(t, 0)) {
            ScsiResult inquiry = disk.execute(Cdbs.inquiry(false, 0, 96), null, 96);
            assertTrue(inquiry.good());
            assertEquals("ISCSILAB", new String(Arrays.copyOfRange(inquiry.data(), 8, 16)).strip());
            ScsiResult bad = disk.execute(new byte[] {(byte) 0xFF, 0, 0, 0, 0, 0}, null, 0);
            assertEquals(SenseKey.ILLEGAL_REQUEST, bad.senseData().key());
        }
    }

    @Test
    void requestsOutsideTheDiskOrNotInWholeBlocksAreRefusedBeforeTheyAreSent() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:1M");
                BlockDevice disk = open(t, 0)) {
            assertThrows(IllegalArgumentException.class, () -> disk.read(2047, 2));
            assertThrows(IllegalArgumentException.class, () -> disk.write(0, new byte[100]));
            assertThrows(IllegalArgumentException.class, () -> disk.readBytes(100, 512));
        }
    }

    @Test
    void aLunThatDoesNotExistCannotBeOpened() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:1M")) {
            ScsiCommandException e = assertThrows(ScsiCommandException.class, () -> open(t, 5));
            assertEquals(0x25, e.asc(), "LOGICAL UNIT NOT SUPPORTED");
        }
    }
}
