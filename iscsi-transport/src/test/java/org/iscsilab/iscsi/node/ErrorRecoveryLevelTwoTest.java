package org.iscsilab.iscsi.node;

import static org.iscsilab.iscsi.node.RawPdus.assertUnitAttention;
import static org.iscsilab.iscsi.node.RawPdus.clearUnitAttention;
import static org.iscsilab.iscsi.node.RawPdus.keys;
import static org.iscsilab.iscsi.node.RawPdus.next;
import static org.iscsilab.iscsi.node.RawPdus.status;
import static org.iscsilab.iscsi.node.RawPdus.testUnitReady;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.iscsi.LeakWatch;
import org.iscsilab.iscsi.login.LoginStatus;
import org.iscsilab.iscsi.pdu.DataIn;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.LoginResponse;
import org.iscsilab.iscsi.pdu.LogoutRequest;
import org.iscsilab.iscsi.pdu.LogoutResponse;
import org.iscsilab.iscsi.pdu.ReadyToTransfer;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.iscsi.pdu.ScsiResponse;
import org.iscsilab.iscsi.pdu.TaskManagementRequest;
import org.iscsilab.iscsi.pdu.TaskManagementResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ErrorRecoveryLevel 2, connection recovery, driven PDU by PDU without the Java initiator; each
 * expectation is RFC 7143's: a failed connection's tasks wait (§7.1.4.3), Logout "remove the
 * connection for recovery" (§11.14.1) or a login with its CID (§6.3.4) logs it out, TASK REASSIGN
 * moves a task to another connection (§11.5.1, §7.2.2) and answers 1, 3 or 4 when it may not, and
 * past Time2Wait + Time2Retain the tasks and then the session are gone (§13.16, §6.3.5).
 */
class ErrorRecoveryLevelTwoTest {
    private static final String INITIATOR = "iqn.2026-01.org.example:erl2";
    private static final AtomicLong isids = new AtomicLong(0x23_2000_0000_00L);
    private static final int BLOCK = 512;

    private static TestTarget target;

    @BeforeAll
    static void start() throws Exception {
        LeakWatch.install();
        // Time2Wait 0 and Time2Retain 2 s: recovery may start at once, and state goes soon
        target =
                TestTarget.start(
                        TargetSettings.defaults()
                                .withSessionOffer(SessionOffer.DEFAULT.withTimes(0, 2)),
                        "ram:16M");
    }

    @AfterAll
    static void stop() throws Exception {
        target.close();
        // what the expired sessions and terminated tasks held was released (paranoid detector)
        LeakWatch.assertNoLeaks();
    }

    private static final String ERL2 =
            "ErrorRecoveryLevel=2\0DefaultTime2Wait=0\0DefaultTime2Retain=2\0InitialR2T=Yes\0"
                    + "ImmediateData=No\0MaxConnections=2\0";

    /** A leading connection (CID 1) at ErrorRecoveryLevel 2, its unit attention consumed. */
    private static RawConnection leading(long isid) throws Exception {
        RawConnection c = new RawConnection(target.address());
        LoginResponse r = c.login(INITIATOR, target.iqn(), isid, 0, 1, 1, ERL2);
        assertEquals(0, status(r));
        assertEquals("2", keys(r).get("ErrorRecoveryLevel"));
        assertEquals("2", keys(r).get("DefaultTime2Retain"));
        clearUnitAttention(c, 1);
        return c;
    }

    private static RawConnection join(long isid, int cid, int cmdSn) throws Exception {
        RawConnection c = new RawConnection(target.address());
        assertEquals(
                0, status(c.login(INITIATOR, target.iqn(), isid, tsihOf(isid), cid, cmdSn, "")));
        return c;
    }

    private static int tsihOf(long isid) {
        return target.sessions().stream()
                .filter(s -> s.isid() == isid)
                .findFirst()
                .orElseThrow()
                .tsih();
    }

    private static ScsiCommand write10(int itt, int cmdSn, int lba, int blocks) {
        byte[] cdb = {0x2a, 0, 0, 0, (byte) (lba >> 8), (byte) lba, 0, 0, (byte) blocks, 0};
        return ScsiCommand.simple(
                0, itt, cdb, blocks * BLOCK, false, true, false, cmdSn, 0, Unpooled.EMPTY_BUFFER);
    }

    private static ScsiCommand read10(int itt, int cmdSn, int lba, int blocks) {
        byte[] cdb = {0x28, 0, 0, 0, (byte) (lba >> 8), (byte) lba, 0, 0, (byte) blocks, 0};
        return ScsiCommand.simple(
                0, itt, cdb, blocks * BLOCK, true, false, false, cmdSn, 0, Unpooled.EMPTY_BUFFER);
    }

    private static TaskManagementRequest reassign(int itt, int referenced, int cmdSn) {
        return new TaskManagementRequest(
                true, TaskManagementRequest.TASK_REASSIGN, 0, itt, referenced, cmdSn, 0, 0, 0);
    }

    private static LogoutRequest removeForRecovery(int itt, int cid, int cmdSn) {
        return new LogoutRequest(
                true, LogoutRequest.REMOVE_CONNECTION_FOR_RECOVERY, itt, cid, cmdSn, 0);
    }

    private static TargetSession session(long isid) {
        return target.sessions().stream().filter(s -> s.isid() == isid).findFirst().orElse(null);
    }

    /** A condition to wait for, which may ask the target. */
    private interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Milliseconds from {@code since} (System.nanoTime) until {@code condition} holds, asked every
     * 50 ms; fails after a minute. Only a bound from below is checked against what it returns: a
     * busy machine makes it later, never earlier.
     */
    private static long millisUntil(long since, Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited a minute for " + what);
            }
            Thread.sleep(50);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }

    @Test
    void aWriteOfAFailedConnectionIsReassignedAndFinishesOnTheOther() throws Exception {
        long isid = isids.incrementAndGet();
        byte[] data = new byte[2 * BLOCK];
        new Random(1).nextBytes(data);
        try (RawConnection a = leading(isid)) {
            RawConnection b = join(isid, 2, 2);
            b.send(write10(0x10, 2, 10, 2));
            assertInstanceOf(ReadyToTransfer.class, next(b));
            b.fail(); // the connection fails with its write waiting for data
            // §11.14.1 reason 2 on the other connection, for CID 2
            a.send(removeForRecovery(0x11, 2, 3));
            LogoutResponse out = assertInstanceOf(LogoutResponse.class, next(a));
            assertEquals(LogoutResponse.CLOSED_SUCCESSFULLY, out.response());
            assertEquals(0, out.time2Wait());
            assertEquals(2, out.time2Retain());
            a.send(reassign(0x12, 0x10, 3));
            TaskManagementResponse tmf = assertInstanceOf(TaskManagementResponse.class, next(a));
            assertEquals(TaskManagementResponse.FUNCTION_COMPLETE, tmf.response());
            // §7.2.2: the target asks on the new connection for the data it did not get
            ReadyToTransfer r2t = assertInstanceOf(ReadyToTransfer.class, next(a));
            assertEquals(0, r2t.bufferOffset());
            assertEquals(data.length, r2t.desiredDataTransferLength());
            a.send(
                    new DataOut(
                            true,
                            0,
                            0x10,
                            r2t.targetTransferTag(),
                            0,
                            0,
                            0,
                            Unpooled.wrappedBuffer(data)));
            ScsiResponse done = assertInstanceOf(ScsiResponse.class, next(a));
            assertEquals(0x10, done.initiatorTaskTag());
            assertEquals(0, done.status());
            a.send(read10(0x13, 3, 10, 2));
            DataIn back = assertInstanceOf(DataIn.class, next(a));
            assertArrayEquals(data, ByteBufUtil.getBytes(back.data()));
        }
    }

    @Test
    void aReadWhoseStatusWasLostIsAnsweredAgainOnTheNewConnection() throws Exception {
        long isid = isids.incrementAndGet();
        try (RawConnection a = leading(isid)) {
            RawConnection b = join(isid, 2, 2);
            b.send(read10(0x20, 2, 20, 1));
            DataIn sent = assertInstanceOf(DataIn.class, next(b));
            b.fail(); // the initiator never acknowledged it: for it, the status was lost
            // §6.3.4: a login with CID 2 logs the failed one out (implicitly, for recovery)
            try (RawConnection b2 = join(isid, 2, 3)) {
                b2.send(reassign(0x21, 0x20, 3));
                assertEquals(
                        TaskManagementResponse.FUNCTION_COMPLETE,
                        assertInstanceOf(TaskManagementResponse.class, next(b2)).response());
                DataIn again = assertInstanceOf(DataIn.class, next(b2));
                assertArrayEquals(
                        ByteBufUtil.getBytes(sent.data()), ByteBufUtil.getBytes(again.data()));
                ScsiResponse status = assertInstanceOf(ScsiResponse.class, next(b2));
                assertEquals(0x20, status.initiatorTaskTag());
                // §7.2.2: the status is sent again, numbered on the new connection
                // the login took StatSN 0 and the TMF response 1
                assertEquals(2, status.statSn(), "the next StatSN of the new connection");
            }
            RawPdus.assertSessionAnswers(a, 0x22);
        }
    }

    @Test
    void taskReassignIsRefusedWhereTheRfcSaysSo() throws Exception {
        long isid = isids.incrementAndGet();
        try (RawConnection a = leading(isid);
                RawConnection b = join(isid, 2, 2)) {
            b.send(write10(0x30, 2, 30, 1));
            assertInstanceOf(ReadyToTransfer.class, next(b));
            // §7.2.2: the task is still allegiant to a live connection
            a.send(reassign(0x31, 0x30, 3));
            assertEquals(
                    TaskManagementResponse.TASK_STILL_ALLEGIANT,
                    assertInstanceOf(TaskManagementResponse.class, next(a)).response());
            a.send(reassign(0x32, 0x7777, 3));
            assertEquals(
                    TaskManagementResponse.TASK_DOES_NOT_EXIST,
                    assertInstanceOf(TaskManagementResponse.class, next(a)).response());
            // its connection failed but was not logged out for recovery: still allegiant
            b.fail();
            TargetSession s = session(isid);
            millisUntil(
                    System.nanoTime(),
                    () -> s.connectionCount() == 1,
                    "the failed connection to leave the session");
            a.send(reassign(0x33, 0x30, 3));
            assertEquals(
                    TaskManagementResponse.TASK_STILL_ALLEGIANT,
                    assertInstanceOf(TaskManagementResponse.class, next(a)).response());
            // a recovery logout naming the connection it is sent on cannot be done
            a.send(removeForRecovery(0x34, 1, 3));
            assertEquals(
                    LogoutResponse.CLEANUP_FAILED,
                    assertInstanceOf(LogoutResponse.class, next(a)).response());
        }
    }

    @Test
    void belowLevelTwoThereIsNoReassignment() throws Exception {
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
                                    "ErrorRecoveryLevel=1\0")));
            c.send(reassign(0x40, 0x41, 1));
            assertEquals(
                    TaskManagementResponse.REASSIGNMENT_NOT_SUPPORTED,
                    assertInstanceOf(TaskManagementResponse.class, next(c)).response());
            c.send(removeForRecovery(0x42, 2, 1));
            assertEquals(
                    LogoutResponse.RECOVERY_NOT_SUPPORTED,
                    assertInstanceOf(LogoutResponse.class, next(c)).response());
        }
    }

    @Test
    void pastTime2RetainTheTasksAndTheSessionAreGone() throws Exception {
        long isid = isids.incrementAndGet();
        int tsih;
        long failed;
        try (RawConnection a = leading(isid)) {
            tsih = tsihOf(isid);
            a.send(write10(0x50, 2, 50, 1));
            assertInstanceOf(ReadyToTransfer.class, next(a));
            failed = System.nanoTime();
        } // the only connection fails; the session waits Time2Wait (0) + Time2Retain (2 s)
        long gone = millisUntil(failed, () -> session(isid) == null, "the session to time out");
        assertTrue(
                gone >= 2000, "§6.3.5: the session was kept for Time2Retain, not " + gone + " ms");
        assertEquals(
                1,
                target.events()
                        .count(
                                e ->
                                        e.type() == EventLog.Type.LOGOUT
                                                && e.tsih() == tsih
                                                && "Time2Retain expired".equals(e.detail())),
                "§6.3.5: the session timed out");
        // its task's buffers (the write's R2T state, the kept PDUs) went with it
        LeakWatch.assertNoLeaks();
        try (RawConnection late = new RawConnection(target.address())) {
            // §11.13.5: its TSIH names no session now
            assertEquals(
                    LoginStatus.SESSION_DOES_NOT_EXIST.code(),
                    status(late.login(INITIATOR, target.iqn(), isid, tsih, 1, 2, "")));
        }
        try (RawConnection again = new RawConnection(target.address())) {
            assertEquals(0, status(again.login(INITIATOR, target.iqn(), isid, 0, 1, 1, ERL2)));
            // SAM-5 §6.3.4: the initiator port learns of the I_T nexus loss
            again.send(testUnitReady(0x51, 1));
            assertUnitAttention(assertInstanceOf(ScsiResponse.class, next(again)), 0x29, 0x07);
            again.send(reassign(0x52, 0x50, 2));
            assertEquals(
                    TaskManagementResponse.TASK_DOES_NOT_EXIST,
                    assertInstanceOf(TaskManagementResponse.class, next(again)).response(),
                    "the task is gone");
        }
    }

    @Test
    void pastTime2RetainAFailedConnectionsTasksAreTerminatedAndTheSessionGoesOn() throws Exception {
        long isid = isids.incrementAndGet();
        try (RawConnection a = leading(isid)) {
            RawConnection b = join(isid, 2, 2);
            b.send(write10(0x60, 2, 60, 1));
            assertInstanceOf(ReadyToTransfer.class, next(b));
            long failed = System.nanoTime();
            b.fail();
            // until Time2Wait (0) + Time2Retain (2 s) have passed the task waits, allegiant to the
            // failed connection; then it is gone
            AtomicInteger itt = new AtomicInteger(0x6100);
            long gone =
                    millisUntil(
                            failed,
                            () -> {
                                a.send(reassign(itt.getAndIncrement(), 0x60, 3));
                                int response =
                                        assertInstanceOf(TaskManagementResponse.class, next(a))
                                                .response();
                                if (response != TaskManagementResponse.TASK_DOES_NOT_EXIST) {
                                    assertEquals(
                                            TaskManagementResponse.TASK_STILL_ALLEGIANT, response);
                                }
                                return response == TaskManagementResponse.TASK_DOES_NOT_EXIST;
                            },
                            "the failed connection's task to be terminated");
            assertTrue(gone >= 2000, "the task was kept for Time2Retain, not " + gone + " ms");
            // §7.6: the logical unit reports the terminated task to the session
            a.send(testUnitReady(0x62, 3));
            assertUnitAttention(assertInstanceOf(ScsiResponse.class, next(a)), 0x47, 0x7F);
            a.send(testUnitReady(0x63, 4));
            assertEquals(0, assertInstanceOf(ScsiResponse.class, next(a)).status());
        }
    }
}
