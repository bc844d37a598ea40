package org.iscsilab.iscsi.node;

import static org.iscsilab.iscsi.node.RawPdus.assertNothingBeforeAPing;
import static org.iscsilab.iscsi.node.RawPdus.clearUnitAttention;
import static org.iscsilab.iscsi.node.RawPdus.keys;
import static org.iscsilab.iscsi.node.RawPdus.next;
import static org.iscsilab.iscsi.node.RawPdus.status;
import static org.iscsilab.iscsi.node.RawPdus.testUnitReady;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.iscsilab.iscsi.pdu.DataIn;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.LoginRequest;
import org.iscsilab.iscsi.pdu.LoginResponse;
import org.iscsilab.iscsi.pdu.NopOut;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ReadyToTransfer;
import org.iscsilab.iscsi.pdu.Reject;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.iscsi.pdu.ScsiResponse;
import org.iscsilab.iscsi.pdu.SnackRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ErrorRecoveryLevel 1, within-command and within-connection recovery, driven PDU by PDU without
 * the Java initiator; each expectation is RFC 7143's: SNACK of every type (§11.16), the A bit and
 * DataACK (§11.7.2), data digest errors answered with Reject and a recovery R2T (§7.8, §11.8), a
 * header digest error discarding only the PDU (§7.8), a DataSN gap asked for again (§7.9), and a
 * command sent again (§7.2.1).
 */
class ErrorRecoveryLevelOneTest {
    private static final String INITIATOR = "iqn.2026-01.org.example:erl1";
    private static final AtomicLong isids = new AtomicLong(0x23_1000_0000_00L);
    private static final int BLOCK = 512;

    private static TestTarget target;

    @BeforeAll
    static void start() throws Exception {
        target = TestTarget.start("ram:16M");
    }

    @AfterAll
    static void stop() {
        target.close();
    }

    /**
     * A session at ErrorRecoveryLevel 1, bursts of 4 KiB, R2T for every write (InitialR2T=Yes, no
     * immediate data unless asked), its POWER ON unit attention consumed with CmdSN 1.
     */
    private static RawConnection session(boolean dataDigest, boolean immediateData)
            throws Exception {
        RawConnection c = new RawConnection(target.address());
        LoginResponse r =
                c.login(
                        INITIATOR,
                        target.iqn(),
                        isids.incrementAndGet(),
                        0,
                        1,
                        1,
                        "ErrorRecoveryLevel=1\0MaxBurstLength=4096\0FirstBurstLength=4096\0"
                                + "InitialR2T=Yes\0ImmediateData="
                                + (immediateData ? "Yes" : "No")
                                + "\0",
                        false,
                        dataDigest);
        assertEquals(0, status(r));
        assertEquals("1", keys(r).get("ErrorRecoveryLevel"));
        clearUnitAttention(c, 1);
        return c;
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static ScsiCommand read10(int itt, int cmdSn, int lba, int blocks) {
        byte[] cdb = {0x28, 0, 0, 0, (byte) (lba >> 8), (byte) lba, 0, 0, (byte) blocks, 0};
        return ScsiCommand.simple(
                0, itt, cdb, blocks * BLOCK, true, false, false, cmdSn, 0, Unpooled.EMPTY_BUFFER);
    }

    private static ScsiCommand write10(int itt, int cmdSn, int lba, int blocks, byte[] immediate) {
        byte[] cdb = {0x2a, 0, 0, 0, (byte) (lba >> 8), (byte) lba, 0, 0, (byte) blocks, 0};
        return ScsiCommand.simple(
                0,
                itt,
                cdb,
                blocks * BLOCK,
                false,
                true,
                false,
                cmdSn,
                0,
                immediate == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(immediate));
    }

    private static DataOut dataOut(int itt, int ttt, int dataSn, int offset, byte[] all, int len) {
        return new DataOut(
                offset + len >= all.length,
                0,
                itt,
                ttt,
                0,
                dataSn,
                offset,
                Unpooled.copiedBuffer(all, offset, len));
    }

    /** Writes {@code data} at {@code lba} answering each R2T in one Data-Out. */
    private static void write(RawConnection c, int itt, int cmdSn, int lba, byte[] data)
            throws Exception {
        c.send(write10(itt, cmdSn, lba, data.length / BLOCK, null));
        while (true) {
            Pdu p = next(c);
            if (p instanceof ScsiResponse r) {
                assertEquals(0, r.status(), "the write completes");
                return;
            }
            ReadyToTransfer r2t = assertInstanceOf(ReadyToTransfer.class, p);
            c.send(
                    new DataOut(
                            true,
                            0,
                            itt,
                            r2t.targetTransferTag(),
                            0,
                            0,
                            r2t.bufferOffset(),
                            Unpooled.copiedBuffer(
                                    data, r2t.bufferOffset(), r2t.desiredDataTransferLength())));
        }
    }

    /** The Data-In PDUs of a read, up to and with the one that carries the status. */
    private static List<DataIn> readAll(RawConnection c, ScsiCommand read) throws Exception {
        c.send(read);
        List<DataIn> in = new ArrayList<>();
        while (true) {
            DataIn d = assertInstanceOf(DataIn.class, next(c));
            in.add(d);
            if (d.statusPresent()) {
                return in;
            }
        }
    }

    private static byte[] bytes(DataIn d) {
        return ByteBufUtil.getBytes(d.data());
    }

    @Test
    void theTargetAcceptsUpToErrorRecoveryLevelTwoAndDiscoveryStaysAtZero() throws Exception {
        try (RawConnection c = new RawConnection(target.address())) {
            LoginResponse r =
                    c.login(
                            INITIATOR,
                            target.iqn(),
                            isids.incrementAndGet(),
                            0,
                            1,
                            1,
                            "ErrorRecoveryLevel=2\0");
            // §13.20: the lesser of the two
            assertEquals("2", keys(r).get("ErrorRecoveryLevel"));
        }
        try (RawConnection c = new RawConnection(target.address())) {
            c.send(
                    new LoginRequest(
                            true,
                            false,
                            1,
                            3,
                            0,
                            0,
                            isids.incrementAndGet(),
                            0,
                            1,
                            1,
                            1,
                            0,
                            Unpooled.copiedBuffer(
                                    "InitiatorName="
                                            + INITIATOR
                                            + "\0SessionType=Discovery\0ErrorRecoveryLevel=2\0",
                                    StandardCharsets.UTF_8)));
            LoginResponse r = (LoginResponse) c.receive();
            // §13.20: ErrorRecoveryLevel must be 0 for a discovery session
            assertEquals("0", keys(r).get("ErrorRecoveryLevel"));
        }
    }

    @Test
    void aStatusSnackSendsTheSameResponseUntilExpStatSnAcknowledgesIt() throws Exception {
        try (RawConnection c = session(false, false)) {
            c.send(testUnitReady(0x10, 2));
            ScsiResponse first = assertInstanceOf(ScsiResponse.class, next(c));
            // §11.16.1 Status SNACK: BegRun is the StatSN, RunLength 1
            c.send(
                    new SnackRequest(
                            SnackRequest.STATUS, 0, -1, -1, first.statSn(), first.statSn(), 1));
            ScsiResponse again = assertInstanceOf(ScsiResponse.class, next(c));
            assertEquals(first.initiatorTaskTag(), again.initiatorTaskTag());
            assertEquals(first.statSn(), again.statSn(), "a response sent again keeps its StatSN");
            assertEquals(first.status(), again.status());
            // ExpStatSN past it acknowledges it: asked for again, it is a protocol error (§11.16)
            int acked = first.statSn() + 1;
            c.send(new SnackRequest(SnackRequest.STATUS, 0, -1, -1, acked, first.statSn(), 1));
            Reject reject = assertInstanceOf(Reject.class, next(c));
            assertEquals(Reject.PROTOCOL_ERROR, reject.reason());
        }
    }

    @Test
    void aDataSnackSendsTheSameDataInAndANeverSentOneIsRefused() throws Exception {
        try (RawConnection c = session(false, false)) {
            byte[] data = pattern(16 * 1024, 1);
            write(c, 0x20, 2, 100, data);
            List<DataIn> in = readAll(c, read10(0x21, 3, 100, 32));
            assertEquals(4, in.size(), "16 KiB in bursts of 4 KiB");
            // §11.7.2: the ends of the bursts but the last ask for a DataACK, with a TTT
            assertTrue(
                    in.get(0).acknowledge() && in.get(0).targetTransferTag() != Pdu.RESERVED_TAG);
            assertFalse(in.get(3).acknowledge(), "the status acknowledges the last");
            c.send(new SnackRequest(SnackRequest.DATA_R2T, 0, 0x21, -1, 0, 1, 2));
            for (int sn = 1; sn <= 2; sn++) {
                DataIn again = assertInstanceOf(DataIn.class, next(c));
                assertEquals(sn, again.dataSn());
                assertEquals(in.get(sn).bufferOffset(), again.bufferOffset());
                assertArrayEquals(bytes(in.get(sn)), bytes(again), "the same bytes again");
            }
            c.send(new SnackRequest(SnackRequest.DATA_R2T, 0, 0x21, -1, 0, 9, 1));
            Reject never = assertInstanceOf(Reject.class, next(c));
            assertEquals(Reject.PROTOCOL_ERROR, never.reason(), "§11.16: never sent");
            assertEquals(4, never.dataSnOrR2tSn(), "§11.17.1: the next DataSN it would send");
        }
    }

    @Test
    void aDataAckLetsTheAcknowledgedDataGo() throws Exception {
        try (RawConnection c = session(false, false)) {
            List<DataIn> in = readAll(c, read10(0x30, 2, 200, 32));
            DataIn asking = in.get(1);
            // §11.16.2: DataACK with the TTT of the Data-In that asked, BegRun the next DataSN
            c.send(
                    new SnackRequest(
                            SnackRequest.DATA_ACK, 0, -1, asking.targetTransferTag(), 0, 2, 0));
            assertNothingBeforeAPing(c, 0x3F, "a DataACK has no answer");
            c.send(new SnackRequest(SnackRequest.DATA_R2T, 0, 0x30, -1, 0, 0, 1));
            assertEquals(
                    Reject.PROTOCOL_ERROR,
                    assertInstanceOf(Reject.class, next(c)).reason(),
                    "acknowledged data is not asked for again");
            c.send(new SnackRequest(SnackRequest.DATA_R2T, 0, 0x30, -1, 0, 2, 1));
            assertEquals(2, assertInstanceOf(DataIn.class, next(c)).dataSn(), "the rest is kept");
        }
    }

    @Test
    void anRDataSnackSendsTheDataAgainAndTheStatusWithItsTag() throws Exception {
        try (RawConnection c = session(false, false)) {
            List<DataIn> in = readAll(c, read10(0x40, 2, 300, 16));
            DataIn last = in.get(in.size() - 1);
            c.send(new SnackRequest(SnackRequest.R_DATA, 0, 0x40, 0x1234, 0, 0, 0));
            for (DataIn original : in) {
                DataIn again = assertInstanceOf(DataIn.class, next(c));
                assertEquals(original.dataSn(), again.dataSn());
                assertArrayEquals(bytes(original), bytes(again));
                assertFalse(again.statusPresent(), "§11.16.3: the status comes on its own");
            }
            ScsiResponse status = assertInstanceOf(ScsiResponse.class, next(c));
            assertEquals(0x1234, status.snackTag(), "the SNACK Tag");
            assertEquals(last.statSn(), status.statSn(), "the same StatSN");
            assertEquals(in.size(), status.expDataSn());
            // §11.16.3: RunLength must be 0
            c.send(new SnackRequest(SnackRequest.R_DATA, 0, 0x40, 0x1235, 0, 0, 1));
            assertEquals(
                    Reject.INVALID_PDU_FIELD, assertInstanceOf(Reject.class, next(c)).reason());
        }
    }

    @Test
    void aDataOutWithADataDigestErrorIsAskedForAgainWithARecoveryR2t() throws Exception {
        try (RawConnection c = session(true, false)) {
            byte[] data = pattern(4096, 2);
            c.send(write10(0x50, 2, 400, 8, null));
            ReadyToTransfer r2t = assertInstanceOf(ReadyToTransfer.class, next(c));
            assertEquals(0, r2t.r2tSn());
            c.send(dataOut(0x50, r2t.targetTransferTag(), 0, 0, data, 2048));
            c.sendWithBadDataDigest(dataOut(0x50, r2t.targetTransferTag(), 1, 2048, data, 2048));
            // §7.8: Reject "data digest error", then §11.8 a recovery R2T, the next R2TSN,
            // for the lost bytes
            assertEquals(
                    Reject.DATA_DIGEST_ERROR, assertInstanceOf(Reject.class, next(c)).reason());
            ReadyToTransfer recovery = assertInstanceOf(ReadyToTransfer.class, next(c));
            assertEquals(1, recovery.r2tSn());
            assertEquals(2048, recovery.bufferOffset());
            assertEquals(2048, recovery.desiredDataTransferLength());
            c.send(dataOut(0x50, recovery.targetTransferTag(), 0, 2048, data, 2048));
            ScsiResponse done = assertInstanceOf(ScsiResponse.class, next(c));
            assertEquals(0, done.status(), "the command is not ended by the digest error");
            List<DataIn> back = readAll(c, read10(0x51, 3, 400, 8));
            byte[] read = new byte[4096];
            for (DataIn d : back) {
                System.arraycopy(bytes(d), 0, read, d.bufferOffset(), d.data().readableBytes());
            }
            assertArrayEquals(data, read);
        }
    }

    @Test
    void aCommandWhoseImmediateDataWasDamagedIsNotCountedUntilSentAgain() throws Exception {
        try (RawConnection c = session(true, true)) {
            byte[] data = pattern(BLOCK, 3);
            c.sendWithBadDataDigest(write10(0x60, 2, 500, 1, data));
            assertEquals(
                    Reject.DATA_DIGEST_ERROR, assertInstanceOf(Reject.class, next(c)).reason());
            // §7.3: its CmdSN is a gap: the next command waits for it
            c.send(testUnitReady(0x61, 3));
            assertNothingBeforeAPing(c, 0x6F, "CmdSN 3 waits for CmdSN 2");
            c.send(write10(0x60, 2, 500, 1, data)); // §7.2.1: the same ITT and CmdSN again
            ScsiResponse write = assertInstanceOf(ScsiResponse.class, next(c));
            assertEquals(0x60, write.initiatorTaskTag());
            assertEquals(0, write.status());
            assertEquals(0x61, assertInstanceOf(ScsiResponse.class, next(c)).initiatorTaskTag());
        }
    }

    @Test
    void aHeaderDigestErrorDiscardsThatPduAndTheConnectionStays() throws Exception {
        try (RawConnection c = new RawConnection(target.address())) {
            assertEquals(
                    0,
                    status(
                            c.login(
                                    INITIATOR,
                                    target.iqn(),
                                    isids.incrementAndGet(),
                                    0,
                                    1,
                                    1,
                                    "ErrorRecoveryLevel=1\0",
                                    true,
                                    false)));
            c.sendWithBadHeaderDigest(
                    new NopOut(true, 0, 0x70, Pdu.RESERVED_TAG, 1, 0, Unpooled.EMPTY_BUFFER));
            // §7.8: the PDU is discarded, nothing answers it; the connection goes on
            assertNothingBeforeAPing(c, 0x71, "only the undamaged ping is answered");
        }
    }

    @Test
    void aGapInDataSnIsAskedForAgain() throws Exception {
        try (RawConnection c = session(false, false)) {
            byte[] data = pattern(4096, 4);
            c.send(write10(0x80, 2, 600, 8, null));
            ReadyToTransfer r2t = assertInstanceOf(ReadyToTransfer.class, next(c));
            int ttt = r2t.targetTransferTag();
            c.send(dataOut(0x80, ttt, 0, 0, data, 1024));
            // DataSN 1 (bytes 1024..2047) is lost on the way
            c.send(dataOut(0x80, ttt, 2, 2048, data, 1024));
            // §7.9: the gap is seen at DataSN 2; a recovery R2T asks for the missing bytes
            ReadyToTransfer recovery = assertInstanceOf(ReadyToTransfer.class, next(c));
            assertEquals(1024, recovery.bufferOffset());
            assertEquals(1024, recovery.desiredDataTransferLength());
            c.send(dataOut(0x80, ttt, 3, 3072, data, 1024));
            c.send(dataOut(0x80, recovery.targetTransferTag(), 0, 1024, data, 1024));
            assertEquals(0, assertInstanceOf(ScsiResponse.class, next(c)).status());
        }
    }

    @Test
    void aLostLastDataOutIsAskedForAgainAfterTheTargetWaited() throws Exception {
        try (RawConnection c = session(false, false)) {
            byte[] data = pattern(2048, 5);
            c.send(write10(0x90, 2, 700, 4, null));
            ReadyToTransfer r2t = assertInstanceOf(ReadyToTransfer.class, next(c));
            c.send(dataOut(0x90, r2t.targetTransferTag(), 0, 0, data, 1024));
            // the last Data-Out never arrives: nothing later shows the gap
            c.timeout(6000);
            ReadyToTransfer recovery = assertInstanceOf(ReadyToTransfer.class, next(c));
            c.timeout(5000);
            // §7.9 sequence reception timeout: what is missing is solicited again
            assertEquals(1024, recovery.bufferOffset());
            assertEquals(1024, recovery.desiredDataTransferLength());
            c.send(dataOut(0x90, recovery.targetTransferTag(), 0, 1024, data, 1024));
            assertEquals(0, assertInstanceOf(ScsiResponse.class, next(c)).status());
        }
    }

    @Test
    void aCommandSentAgainAfterItCompletedGetsItsStatusAgainAndRunsOnce() throws Exception {
        try (RawConnection c = session(false, false)) {
            List<DataIn> in = readAll(c, read10(0xA0, 2, 800, 1));
            DataIn first = in.get(0);
            // §7.2.1 retry: the same ITT and CmdSN, its status not acknowledged (ExpStatSN 0)
            c.send(read10(0xA0, 2, 800, 1));
            DataIn again = assertInstanceOf(DataIn.class, next(c));
            assertEquals(first.statSn(), again.statSn(), "the same status, not a second run");
            assertArrayEquals(bytes(first), bytes(again));
        }
    }
}
