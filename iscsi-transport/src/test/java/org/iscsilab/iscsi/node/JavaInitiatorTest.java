package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import org.iscsilab.iscsi.initiator.DiscoveredTarget;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.iscsi.pdu.TaskManagementRequest;
import org.iscsilab.iscsi.pdu.TaskManagementResponse;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.scsi.SenseKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Java initiator and the target, end to end over loopback TCP. */
class JavaInitiatorTest {
    static TestTarget target;
    static IscsiInitiator initiator;

    @BeforeAll
    static void start() throws Exception {
        target = TestTarget.start("ram:256M", "ram:256M,block=4096", "null:1T");
        initiator = new IscsiInitiator(2);
    }

    @AfterAll
    static void stop() {
        initiator.close();
        target.close();
    }

    private static InitiatorSession login(boolean headerDigest, boolean dataDigest) {
        return initiator
                .login(
                        target.address(),
                        InitiatorConfig.normal(target.iqn()).withDigests(headerDigest, dataDigest))
                .join();
    }

    private static void clearUnitAttention(InitiatorSession s, int lun) {
        ScsiResult r = s.execute(LunAddress.encode(lun), Cdbs.testUnitReady(), null, 0).join();
        if (!r.good()) {
            assertEquals(SenseKey.UNIT_ATTENTION, r.senseData().key());
            assertEquals(0x29, r.senseData().asc(), "a new I_T nexus starts with POWER ON, RESET");
        }
    }

    @Test
    void discoveryListsTheTargetAtItsPortal() {
        List<DiscoveredTarget> found =
                initiator.discover(target.address(), InitiatorConfig.DEFAULT_INITIATOR);
        assertEquals(1, found.size());
        assertEquals(target.iqn(), found.get(0).name());
        assertEquals(
                List.of("127.0.0.1:" + target.address().getPort() + ",1"),
                found.get(0).addresses());
    }

    @Test
    void sendTargetsForANamedTargetListsOnlyThatOne() {
        InitiatorSession s = initiator.login(target.address(), InitiatorConfig.discovery()).join();
        assertEquals(
                List.of(target.iqn()),
                s.sendTargets(target.iqn()).join().stream().map(DiscoveredTarget::name).toList());
        assertEquals(List.of(), s.sendTargets("iqn.2026-01.org.example:absent").join());
        s.logout().join();
    }

    @Test
    void loginNegotiatesAndReportsAliasAndPortalGroup() {
        InitiatorSession s = login(true, true);
        assertEquals("transport-test", s.targetAlias());
        assertEquals(1, s.portalGroupTag());
        assertTrue(s.parameters().headerDigest());
        assertTrue(s.parameters().dataDigest());
        assertTrue(s.tsih() != 0);
        assertEquals(0, s.logout().join());
    }

    @ParameterizedTest(name = "LUN {0} ({1}-byte blocks), header digest {2}, data digest {3}")
    @CsvSource({"0,512,false,false", "0,512,true,true", "1,4096,false,false", "1,4096,true,true"})
    void distinctPatternsWrittenAtSeveralOffsetsReadBackIdentical(
            int lun, int blockSize, boolean hd, boolean dd) {
        InitiatorSession s = login(hd, dd);
        clearUnitAttention(s, lun);
        long count = (256L << 20) / blockSize;
        long[] lbas = {0, 7, 4096, count / 2 + 3, count - 64};
        int[] blocks = {1, 3, 64, 768, 64};
        for (int i = 0; i < lbas.length; i++) {
            byte[] pattern = new byte[blocks[i] * blockSize];
            Arrays.fillPattern(pattern, (byte) (0x31 + i + lun * 16));
            ScsiResult w =
                    s.execute(
                                    LunAddress.encode(lun),
                                    Cdbs.write16(lbas[i], blocks[i], false),
                                    pattern,
                                    0)
                            .join();
            assertTrue(w.good(), "write at LBA " + lbas[i] + ": " + w);
        }
        for (int i = 0; i < lbas.length; i++) {
            byte[] expected = new byte[blocks[i] * blockSize];
            Arrays.fillPattern(expected, (byte) (0x31 + i + lun * 16));
            ScsiResult r =
                    s.execute(
                                    LunAddress.encode(lun),
                                    Cdbs.read16(lbas[i], blocks[i]),
                                    null,
                                    expected.length)
                            .join();
            assertTrue(r.good(), r.toString());
            assertArrayEquals(expected, r.data(), "read back at LBA " + lbas[i]);
        }
        s.logout().join();
    }

    @Test
    void sixtyFourMebibytesRoundTripByteIdentical() throws Exception {
        InitiatorSession s = login(false, false);
        clearUnitAttention(s, 0);
        Random random = new Random(7);
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        int chunk = 1 << 20;
        for (int i = 0; i < 64; i++) {
            byte[] data = new byte[chunk];
            random.nextBytes(data);
            written.update(data);
            assertTrue(
                    s.execute(0, Cdbs.write10(i * (chunk / 512L), chunk / 512, false), data, 0)
                            .join()
                            .good());
        }
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < 64; i++) {
            ScsiResult r =
                    s.execute(0, Cdbs.read10(i * (chunk / 512L), chunk / 512), null, chunk).join();
            assertTrue(r.good());
            read.update(r.data());
        }
        assertArrayEquals(written.digest(), read.digest());
        s.logout().join();
    }

    @Test
    void readCapacityInquiryAndReportLunsDescribeTheLuns() {
        InitiatorSession s = login(false, false);
        clearUnitAttention(s, 1);
        ScsiResult cap = s.execute(LunAddress.encode(1), Cdbs.readCapacity16(32), null, 32).join();
        ByteBuffer b = ByteBuffer.wrap(cap.data());
        assertEquals((256L << 20) / 4096 - 1, b.getLong(0));
        assertEquals(4096, b.getInt(8));
        ScsiResult inq = s.execute(0, Cdbs.inquiry(false, 0, 96), null, 96).join();
        assertEquals("ISCSILAB", new String(inq.data(), 8, 8, StandardCharsets.US_ASCII));
        assertTrue(inq.underflow(), "36-byte-plus data under a 96-byte allocation is an underflow");
        ScsiResult luns = s.execute(0, Cdbs.reportLuns(256), null, 256).join();
        assertEquals(24, ByteBuffer.wrap(luns.data()).getInt(0), "three LUNs, 8 bytes each");
        s.logout().join();
    }

    @Test
    void aReadShorterThanItsCdbReportsOverflow() {
        InitiatorSession s = login(false, false);
        clearUnitAttention(s, 0);
        ScsiResult r = s.executeRaw(0, Cdbs.read10(0, 2), null, 512, true, false).join();
        assertTrue(r.good());
        assertTrue(r.overflow());
        assertEquals(512, r.residual());
        assertEquals(512, r.data().length);
        s.logout().join();
    }

    @Test
    void aReadPastTheEndIsLbaOutOfRange() {
        InitiatorSession s = login(false, false);
        clearUnitAttention(s, 0);
        ScsiResult r = s.execute(0, Cdbs.read10((256L << 20) / 512, 1), null, 512).join();
        assertEquals(SenseKey.ILLEGAL_REQUEST, r.senseData().key());
        assertEquals(AdditionalSense.LBA_OUT_OF_RANGE.asc(), r.senseData().asc());
        s.logout().join();
    }

    @Test
    void nopOutIsEchoed() {
        InitiatorSession s = login(false, false);
        assertArrayEquals(
                "ping".getBytes(StandardCharsets.US_ASCII),
                s.nop("ping".getBytes(StandardCharsets.US_ASCII)).join());
        s.logout().join();
    }

    @Test
    void abortingAFinishedTaskSaysItDoesNotExistAndLunResetRaisesAUnitAttention() {
        InitiatorSession s = login(false, false);
        clearUnitAttention(s, 0);
        assertEquals(
                TaskManagementResponse.TASK_DOES_NOT_EXIST,
                s.taskManagement(TaskManagementRequest.ABORT_TASK, 0, 0x7777).join());
        assertEquals(
                TaskManagementResponse.FUNCTION_COMPLETE,
                s.taskManagement(TaskManagementRequest.LOGICAL_UNIT_RESET, 0, -1).join());
        ScsiResult r = s.execute(0, Cdbs.testUnitReady(), null, 0).join();
        assertEquals(SenseKey.UNIT_ATTENTION, r.senseData().key());
        assertEquals(
                AdditionalSense.BUS_DEVICE_RESET_FUNCTION_OCCURRED.ascq(), r.senseData().ascq());
        assertEquals(
                TaskManagementResponse.LUN_DOES_NOT_EXIST,
                s.taskManagement(TaskManagementRequest.LOGICAL_UNIT_RESET, LunAddress.encode(9), -1)
                        .join());
        s.logout().join();
    }

    @Test
    void targetWarmResetRaisesAUnitAttentionAndColdResetAlsoClosesTheConnection() {
        InitiatorSession s = login(false, false);
        clearUnitAttention(s, 0);
        assertEquals(
                TaskManagementResponse.FUNCTION_COMPLETE,
                s.taskManagement(TaskManagementRequest.TARGET_WARM_RESET, 0, -1).join());
        ScsiResult r = s.execute(0, Cdbs.testUnitReady(), null, 0).join();
        assertEquals(SenseKey.UNIT_ATTENTION, r.senseData().key());
        assertEquals(0x29, r.senseData().asc());
        assertEquals(
                TaskManagementResponse.FUNCTION_COMPLETE,
                s.taskManagement(TaskManagementRequest.TARGET_COLD_RESET, 0, -1).join());
        s.closeFuture().join();
        assertFalse(
                s.isOpen(), "RFC 7143 §11.5.1: after a cold reset the target drops the connection");
    }

    @Test
    void aNewLoginWithTheSameIsidReinstatesTheSession() {
        long isid = InitiatorConfig.randomIsid();
        InitiatorSession first =
                initiator
                        .login(
                                target.address(),
                                InitiatorConfig.normal(target.iqn()).withIsid(isid))
                        .join();
        InitiatorSession second =
                initiator
                        .login(
                                target.address(),
                                InitiatorConfig.normal(target.iqn()).withIsid(isid))
                        .join();
        first.closeFuture().join();
        assertFalse(first.isOpen(), "the old session's connection is closed");
        assertArrayEquals(
                new byte[] {1}, second.nop(new byte[] {1}).join(), "the new session answers");
        second.logout().join();
    }

    @Test
    void fileLunWritesAreOnDiskAfterSynchronizeCache(@TempDir Path dir) throws Exception {
        Path disk = dir.resolve("disk.img");
        try (TestTarget t = TestTarget.start("file:" + disk + ":16M")) {
            InitiatorSession s =
                    initiator.login(t.address(), InitiatorConfig.normal(t.iqn())).join();
            clearUnitAttention(s, 0);
            byte[] data = new byte[4096];
            Arrays.fillPattern(data, (byte) 0x5A);
            assertTrue(s.execute(0, Cdbs.write10(8, 8, true), data, 0).join().good(), "FUA write");
            assertTrue(s.execute(0, Cdbs.synchronizeCache10(), null, 0).join().good());
            byte[] onDisk = new byte[4096];
            System.arraycopy(Files.readAllBytes(disk), 8 * 512, onDisk, 0, 4096);
            assertArrayEquals(data, onDisk);
            s.logout().join();
        }
    }

    /** Test data: a byte pattern that differs per block, so misplaced blocks are caught. */
    static final class Arrays {
        static void fillPattern(byte[] b, byte seed) {
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (seed + (i / 512) * 7 + (i % 251));
            }
        }
    }
}
