package org.iscsilab.iscsi.node;

import static org.iscsilab.iscsi.node.RawPdus.assertNothingBeforeAPing;
import static org.iscsilab.iscsi.node.RawPdus.assertSessionAnswers;
import static org.iscsilab.iscsi.node.RawPdus.assertUnitAttention;
import static org.iscsilab.iscsi.node.RawPdus.clearUnitAttention;
import static org.iscsilab.iscsi.node.RawPdus.keys;
import static org.iscsilab.iscsi.node.RawPdus.next;
import static org.iscsilab.iscsi.node.RawPdus.status;
import static org.iscsilab.iscsi.node.RawPdus.testUnitReady;
import static org.iscsilab.iscsi.node.RawPdus.writeOneBlockWithoutData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.util.concurrent.atomic.AtomicLong;
import org.iscsilab.iscsi.login.LoginStatus;
import org.iscsilab.iscsi.pdu.AsyncMessage;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.LoginResponse;
import org.iscsilab.iscsi.pdu.LogoutRequest;
import org.iscsilab.iscsi.pdu.LogoutResponse;
import org.iscsilab.iscsi.pdu.NopOut;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ReadyToTransfer;
import org.iscsilab.iscsi.pdu.Reject;
import org.iscsilab.iscsi.pdu.ScsiResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Multiple connections per session, driven PDU by PDU without the Java initiator, each expectation
 * from RFC 7143: negotiation of MaxConnections (§13.2), connections joining by TSIH (§6.3, §11.12),
 * one CmdSN window across them (§4.2.2.1), StatSN per connection (§4.2.2.2), connection allegiance
 * (§7.1.2), logout of one connection (§11.14) and connection reinstatement (§6.3.4).
 */
class MultipleConnectionsTest {

    private static final String INITIATOR = "iqn.2026-01.org.example:mcs";
    private static final AtomicLong isids = new AtomicLong(0x23_0000_0000_00L);

    private static TestTarget target;

    @BeforeAll
    static void start() throws Exception {
        target = TestTarget.start("ram:16M");
    }

    @AfterAll
    static void stop() {
        target.close();
    }

    /** A leading connection (CID 1, CmdSN 1) that asks for {@code maxConnections}. */
    private static RawConnection leading(long isid, int maxConnections) throws Exception {
        RawConnection c = new RawConnection(target.address());
        LoginResponse r =
                c.login(
                        INITIATOR,
                        target.iqn(),
                        isid,
                        0,
                        1,
                        1,
                        "MaxConnections=" + maxConnections + "\0");
        assertEquals(0, status(r), "the leading login succeeds");
        return c;
    }

    @Test
    void maxConnectionsIsTheLesserOfTheOfferAndTheTargetsLimit() throws Exception {
        // RFC 7143 §13.2: MaxConnections is negotiated to the minimum; the target allows 4
        for (int offered : new int[] {1, 2, 8}) {
            try (RawConnection c = new RawConnection(target.address())) {
                LoginResponse r =
                        c.login(
                                INITIATOR,
                                target.iqn(),
                                isids.incrementAndGet(),
                                0,
                                1,
                                1,
                                "MaxConnections=" + offered + "\0");
                assertEquals(String.valueOf(Math.min(offered, 4)), keys(r).get("MaxConnections"));
            }
        }
    }

    @Test
    void aTargetLimitedToOneConnectionPerSessionNegotiatesOne() throws Exception {
        try (TestTarget single =
                        TestTarget.start(
                                TargetSettings.defaults()
                                        .withSessionOffer(
                                                SessionOffer.DEFAULT.withMaxConnections(1)),
                                "ram:1M");
                RawConnection a = new RawConnection(single.address());
                RawConnection b = new RawConnection(single.address())) {
            long isid = isids.incrementAndGet();
            LoginResponse r = a.login(INITIATOR, single.iqn(), isid, 0, 1, 1, "MaxConnections=4\0");
            assertEquals("1", keys(r).get("MaxConnections"));
            LoginResponse second = b.login(INITIATOR, single.iqn(), isid, r.tsih(), 2, 1, "");
            assertEquals(LoginStatus.TOO_MANY_CONNECTIONS.code(), status(second));
        }
    }

    @Test
    void aSecondConnectionJoinsWithTheSessionsTsihAndSharesItsCmdSnWindow() throws Exception {
        long isid = isids.incrementAndGet();
        try (RawConnection a = leading(isid, 2);
                RawConnection b = new RawConnection(target.address())) {
            int tsih =
                    target.sessions().stream()
                            .filter(s -> s.isid() == isid)
                            .findFirst()
                            .orElseThrow()
                            .tsih();
            LoginResponse joined = b.login(INITIATOR, target.iqn(), isid, tsih, 2, 1, "");
            assertEquals(0, status(joined));
            assertEquals(tsih, joined.tsih(), "the connection is in the same session");
            assertEquals(1, joined.expCmdSn(), "the session's ExpCmdSN, one window");
            assertEquals(
                    String.valueOf(target.sessions().get(0).portalGroupTag()),
                    keys(joined).get("TargetPortalGroupTag"),
                    "RFC 7143 §13.9: the tag answers every login that names the target");

            // CmdSN 2 on B waits for CmdSN 1, which comes on A (§4.2.2.1)
            b.send(testUnitReady(0x20, 2));
            assertNothingBeforeAPing(b, 0x2F, "CmdSN 2 is held until CmdSN 1 arrives");
            a.send(testUnitReady(0x10, 1));
            ScsiResponse onA = assertInstanceOf(ScsiResponse.class, next(a));
            ScsiResponse onB = assertInstanceOf(ScsiResponse.class, next(b));
            assertEquals(0x10, onA.initiatorTaskTag(), "status on the command's own connection");
            assertEquals(0x20, onB.initiatorTaskTag(), "status on the command's own connection");
            // §4.2.2.2: each connection numbers its own status; both logins acknowledged StatSN 0,
            // and on B the answer to the ping took StatSN 1
            assertEquals(1, onA.statSn());
            assertEquals(2, onB.statSn());
            assertEquals(3, onB.expCmdSn(), "both commands counted in the one window");
            assertEquals(
                    2,
                    target.sessions().stream()
                            .filter(s -> s.isid() == isid)
                            .findFirst()
                            .orElseThrow()
                            .connectionCount());
        }
    }

    @Test
    void leadingOnlyKeysOfferedByAJoiningConnectionAreIrrelevant() throws Exception {
        long isid = isids.incrementAndGet();
        try (RawConnection a = leading(isid, 2);
                RawConnection b = new RawConnection(target.address())) {
            LoginResponse r =
                    b.login(
                            INITIATOR,
                            target.iqn(),
                            isid,
                            tsihOf(isid),
                            2,
                            1,
                            "MaxConnections=4\0MaxBurstLength=512\0");
            assertEquals(0, status(r));
            // §13: MaxConnections and the other LO keys are the leading login's for good
            assertEquals("Irrelevant", keys(r).get("MaxConnections"));
            assertEquals("Irrelevant", keys(r).get("MaxBurstLength"));
            assertSessionAnswers(a, 0x34);
        }
    }

    @Test
    void aConnectionLoggedOutWithATaskInProgressTerminatesItAndTellsTheLogicalUnit()
            throws Exception {
        long isid = isids.incrementAndGet();
        try (RawConnection a = leading(isid, 2);
                RawConnection b = new RawConnection(target.address())) {
            assertEquals(0, status(b.login(INITIATOR, target.iqn(), isid, tsihOf(isid), 2, 1, "")));
            clearUnitAttention(a, 1);
            b.send(writeOneBlockWithoutData(0x81, 2));
            assertInstanceOf(ReadyToTransfer.class, next(b));
            a.send(new LogoutRequest(true, LogoutRequest.CLOSE_CONNECTION, 0x82, 2, 3, 0));
            assertEquals(
                    LogoutResponse.CLOSED_SUCCESSFULLY,
                    assertInstanceOf(LogoutResponse.class, next(a)).response());
            assertTrue(b.closedByPeer());
            // §7.6 a) the write was allegiant to the closed connection: terminated, reported
            a.send(testUnitReady(0x83, 3));
            ScsiResponse tur = assertInstanceOf(ScsiResponse.class, next(a));
            assertUnitAttention(tur, 0x47, 0x7F);
        }
    }

    @Test
    void aConnectionBeyondMaxConnectionsIsRefused() throws Exception {
        long isid = isids.incrementAndGet();
        try (RawConnection a = leading(isid, 2);
                RawConnection b = new RawConnection(target.address());
                RawConnection c = new RawConnection(target.address())) {
            int tsih = tsihOf(isid);
            assertEquals(0, status(b.login(INITIATOR, target.iqn(), isid, tsih, 2, 1, "")));
            LoginResponse third = c.login(INITIATOR, target.iqn(), isid, tsih, 3, 1, "");
            // RFC 7143 §11.13.5: 0206 "too many connections"
            assertEquals(LoginStatus.TOO_MANY_CONNECTIONS.code(), status(third));
            assertTrue(c.closedByPeer());
            assertSessionAnswers(a, 0x35);
            assertEquals(2, connectionsOf(isid), "the refused login changed nothing");
        }
    }

    @Test
    void aJoinNamingNoLiveSessionOfThisInitiatorPortIsRefused() throws Exception {
        long isid = isids.incrementAndGet();
        try (RawConnection a = leading(isid, 2);
                RawConnection otherIsid = new RawConnection(target.address());
                RawConnection unknown = new RawConnection(target.address())) {
            int tsih = tsihOf(isid);
            // §11.12.6 / §11.13.5: 020A "session does not exist"
            assertEquals(
                    LoginStatus.SESSION_DOES_NOT_EXIST.code(),
                    status(otherIsid.login(INITIATOR, target.iqn(), isid + 1, tsih, 2, 1, "")));
            assertEquals(
                    LoginStatus.SESSION_DOES_NOT_EXIST.code(),
                    status(unknown.login(INITIATOR, target.iqn(), isid, 0xFFFE, 2, 1, "")));
            assertSessionAnswers(a, 0x36);
            assertEquals(1, connectionsOf(isid));
        }
    }

    @Test
    void dataOutGoesOnTheConnectionItsCommandCameOn() throws Exception {
        long isid = isids.incrementAndGet();
        try (RawConnection a = leading(isid, 2);
                RawConnection b = new RawConnection(target.address())) {
            assertEquals(0, status(b.login(INITIATOR, target.iqn(), isid, tsihOf(isid), 2, 1, "")));
            clearUnitAttention(a, 1);
            a.send(writeOneBlockWithoutData(0x31, 2));
            ReadyToTransfer r2t = assertInstanceOf(ReadyToTransfer.class, next(a));
            DataOut data =
                    new DataOut(
                            true,
                            0,
                            0x31,
                            r2t.targetTransferTag(),
                            0,
                            0,
                            0,
                            Unpooled.wrappedBuffer(new byte[512]));
            b.send(data);
            // §7.1.2 connection allegiance: the Data-Out on the other connection is an error
            Reject reject = assertInstanceOf(Reject.class, next(b));
            assertEquals(Reject.PROTOCOL_ERROR, reject.reason());
            a.send(
                    new DataOut(
                            true,
                            0,
                            0x31,
                            r2t.targetTransferTag(),
                            0,
                            0,
                            0,
                            Unpooled.wrappedBuffer(new byte[512])));
            ScsiResponse done = assertInstanceOf(ScsiResponse.class, next(a));
            assertEquals(0x31, done.initiatorTaskTag());
            assertEquals(0, done.status(), "the write completes on its own connection");
        }
    }

    @Test
    void aLogoutOnOneConnectionClosesAnotherByItsCid() throws Exception {
        long isid = isids.incrementAndGet();
        try (RawConnection a = leading(isid, 3);
                RawConnection b = new RawConnection(target.address())) {
            assertEquals(0, status(b.login(INITIATOR, target.iqn(), isid, tsihOf(isid), 7, 1, "")));
            // §11.14.1 reason 1 with CID 7, sent on CID 1: CID 7 closes, CID 1 answers
            a.send(new LogoutRequest(true, LogoutRequest.CLOSE_CONNECTION, 0x40, 7, 1, 0));
            LogoutResponse resp = assertInstanceOf(LogoutResponse.class, next(a));
            assertEquals(LogoutResponse.CLOSED_SUCCESSFULLY, resp.response());
            assertTrue(b.closedByPeer(), "the connection named by the CID is closed");
            a.send(new NopOut(true, 0, 0x41, Pdu.RESERVED_TAG, 1, 0, Unpooled.EMPTY_BUFFER));
            assertEquals(0x41, next(a).initiatorTaskTag(), "the session goes on on CID 1");

            a.send(new LogoutRequest(true, LogoutRequest.CLOSE_CONNECTION, 0x42, 9, 1, 0));
            assertEquals(
                    LogoutResponse.CID_NOT_FOUND,
                    assertInstanceOf(LogoutResponse.class, next(a)).response(),
                    "§11.15.1: response 1, CID not found");
            a.send(
                    new LogoutRequest(
                            true, LogoutRequest.REMOVE_CONNECTION_FOR_RECOVERY, 0x43, 7, 1, 0));
            assertEquals(
                    LogoutResponse.RECOVERY_NOT_SUPPORTED,
                    assertInstanceOf(LogoutResponse.class, next(a)).response(),
                    "§11.15.1: response 2 below ErrorRecoveryLevel 2");
        }
    }

    @Test
    void aLoginWithALiveConnectionsCidReinstatesThatConnection() throws Exception {
        long isid = isids.incrementAndGet();
        try (RawConnection a = leading(isid, 2);
                RawConnection again = new RawConnection(target.address())) {
            int tsih = tsihOf(isid);
            clearUnitAttention(a, 1);
            // a command that never completes: its data is never sent
            a.send(writeOneBlockWithoutData(0x51, 2));
            assertInstanceOf(ReadyToTransfer.class, next(a));
            LoginResponse r = again.login(INITIATOR, target.iqn(), isid, tsih, 1, 3, "");
            // §6.3.4: the same CID replaces the old connection in the same session
            assertEquals(0, status(r));
            assertEquals(tsih, r.tsih());
            assertTrue(a.closedByPeer(), "the replaced connection is closed");
            assertEquals(1, connectionsOf(isid));
            // below ErrorRecoveryLevel 2 its task ended with it: the ITT is free again, and the
            // logical unit reports the loss (§7.6: 47/7F on the next command of the I_T nexus)
            again.send(testUnitReady(0x51, 3));
            ScsiResponse tur = assertInstanceOf(ScsiResponse.class, next(again));
            assertEquals(0x51, tur.initiatorTaskTag());
            assertEquals(0x02, tur.status(), "CHECK CONDITION");
            assertUnitAttention(tur, 0x47, 0x7F);
            again.send(testUnitReady(0x52, 4));
            assertEquals(
                    0,
                    assertInstanceOf(ScsiResponse.class, next(again)).status(),
                    "the I_T nexus went on: no POWER ON reset, no other condition");
        }
    }

    @Test
    void theOtherConnectionsHearOfAConnectionTheTargetDropped() throws Exception {
        long isid = isids.incrementAndGet();
        String initiator = INITIATOR + ":drop";
        try (RawConnection a = new RawConnection(target.address());
                RawConnection b = new RawConnection(target.address())) {
            assertEquals(
                    0,
                    status(a.login(initiator, target.iqn(), isid, 0, 3, 1, "MaxConnections=2\0")));
            int tsih = tsihOf(isid);
            assertEquals(0, status(b.login(initiator, target.iqn(), isid, tsih, 4, 1, "")));
            int rule = target.faults().add("drop,once,initiator=" + initiator).id();
            try {
                // the rule fires once, on the first connection it meets: the leading one
                assertTrue(a.closedByPeer(), "CID 3 is dropped");
                AsyncMessage notice = assertInstanceOf(AsyncMessage.class, next(b));
                // §11.9.1 AsyncEvent 2: Parameter1 is the CID, 2 and 3 Time2Wait and Time2Retain
                assertEquals(AsyncMessage.CONNECTION_DROP, notice.asyncEvent());
                assertEquals(3, notice.parameter1());
                b.send(new NopOut(true, 0, 0x61, Pdu.RESERVED_TAG, 1, 0, Unpooled.EMPTY_BUFFER));
                assertEquals(0x61, next(b).initiatorTaskTag(), "the session goes on on CID 4");
            } finally {
                target.faults().remove(rule);
            }
        }
    }

    @Test
    void aLogoutOfTheSessionClosesEveryConnection() throws Exception {
        long isid = isids.incrementAndGet();
        try (RawConnection a = leading(isid, 2);
                RawConnection b = new RawConnection(target.address())) {
            assertEquals(0, status(b.login(INITIATOR, target.iqn(), isid, tsihOf(isid), 2, 1, "")));
            b.send(new LogoutRequest(true, LogoutRequest.CLOSE_SESSION, 0x70, 2, 1, 0));
            assertEquals(
                    LogoutResponse.CLOSED_SUCCESSFULLY,
                    assertInstanceOf(LogoutResponse.class, next(b)).response());
            assertTrue(a.closedByPeer(), "§11.14.1 reason 0: all connections close");
            assertNull(b.receive());
            assertEquals(0, connectionsOf(isid), "the session is gone");
        }
    }

    private static int tsihOf(long isid) {
        return target.sessions().stream()
                .filter(s -> s.isid() == isid)
                .findFirst()
                .orElseThrow()
                .tsih();
    }

    private static int connectionsOf(long isid) {
        return target.sessions().stream()
                .filter(s -> s.isid() == isid)
                .mapToInt(TargetSession::connectionCount)
                .sum();
    }
}
