package org.iscsilab.iscsi.node;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.iscsi.pdu.DataIn;
import org.iscsilab.iscsi.pdu.TaskManagementRequest;
import org.iscsilab.iscsi.pdu.TaskManagementResponse;
import org.slf4j.Logger;

/**
 * Connection recovery at ErrorRecoveryLevel 2 (RFC 7143 §7.1.4.3, §7.2.2): a session's connection
 * that failed, or was logged out for recovery, keeps its tasks and what it sent for
 * DefaultTime2Wait plus DefaultTime2Retain seconds (§13.15, §13.16); once a Logout "remove the
 * connection for recovery" (§11.14.1, reason 2) or a login with its CID (implicit logout, §6.3.4)
 * is done, TASK REASSIGN moves each task to the connection it arrives on, which then finishes it.
 * Past the time the tasks are terminated, and a session left with no connection ends. Runs on the
 * session's event loop.
 */
final class ConnectionRecovery {
    private static final Logger log = TargetLog.get(ConnectionRecovery.class);

    /** A connection whose tasks wait for reassignment. */
    private static final class Waiting {
        final TargetConnection conn;

        /** An explicit or implicit recovery logout is done: its tasks may be reassigned. */
        boolean loggedOut;

        ScheduledFuture<?> expiry;

        Waiting(TargetConnection conn) {
            this.conn = conn;
        }
    }

    private final TargetSession session;

    /** By connection: a connection with a waiting one's CID may fail and wait as well. */
    private final Map<TargetConnection, Waiting> waiting = new HashMap<>();

    ConnectionRecovery(TargetSession session) {
        this.session = session;
    }

    /** Connection recovery applies: ErrorRecoveryLevel 2 and a DefaultTime2Retain above 0. */
    boolean enabled() {
        return session.parameters().errorRecoveryLevel() == 2
                && session.parameters().defaultTime2Retain() > 0;
    }

    /** Seconds a failed connection's state is kept: Time2Wait, then Time2Retain (§13.16). */
    private long keepSeconds() {
        return (long) session.parameters().defaultTime2Wait()
                + session.parameters().defaultTime2Retain();
    }

    /**
     * Keeps a connection that left the session; {@code loggedOut} when a recovery logout (explicit
     * or by reinstatement) took it out, whose ExpStatSN acknowledges what the initiator received on
     * it (§11.14.1, §11.12: the first Login Request's ExpStatSN is the old connection's).
     */
    void keep(TargetConnection conn, boolean loggedOut, long expStatSn) {
        Waiting w = waiting.computeIfAbsent(conn, c -> new Waiting(c));
        w.loggedOut |= loggedOut;
        acknowledge(conn, expStatSn);
        if (w.expiry == null) {
            w.expiry = session.loop().schedule(() -> expire(conn), keepSeconds(), TimeUnit.SECONDS);
        }
        log.info(
                "session {}: connection CID {} {}; its tasks wait {} s for TASK REASSIGN",
                session.tsih(),
                conn.cid(),
                loggedOut ? "logged out for recovery" : "failed",
                keepSeconds());
    }

    /**
     * A recovery logout, explicit or by a login with the CID, for a connection already gone.
     * Returns false when no connection with that CID waits.
     */
    boolean loggedOut(int cid, long expStatSn) {
        boolean found = false;
        for (Waiting w : waiting.values()) {
            if (w.conn.cid() == cid && !w.loggedOut) {
                w.loggedOut = true;
                acknowledge(w.conn, expStatSn);
                found = true;
            }
        }
        return found;
    }

    private static void acknowledge(TargetConnection conn, long expStatSn) {
        if (expStatSn >= 0 && conn.retained() != null) {
            conn.retained().acknowledge((int) expStatSn);
        }
    }

    /** Whether {@code conn} waits for recovery (it failed or was logged out for it). */
    boolean waits(TargetConnection conn) {
        return !waiting.isEmpty() && waiting.containsKey(conn); // no hashing while none waits
    }

    /**
     * Time is up for a waiting connection: its tasks are terminated and reported (§7.6 c), and a
     * session left with no connection ends (§6.3.5 session timeout).
     */
    private void expire(TargetConnection conn) {
        Waiting w = waiting.remove(conn);
        if (w == null) {
            return;
        }
        int cid = conn.cid();
        log.warn(
                "session {}: connection CID {} was not recovered within Time2Wait + Time2Retain"
                        + " ({} s); its tasks are terminated",
                session.tsih(),
                cid,
                keepSeconds());
        session.terminateTasksOf(w.conn);
        if (session.connectionCount() == 0 && waiting.isEmpty()) {
            session.endAfterTime2Retain();
        }
    }

    /** The session ends: nothing waits any more. */
    void cancelAll() {
        for (Waiting w : waiting.values()) {
            if (w.expiry != null) {
                w.expiry.cancel(false);
            }
            w.conn.releaseRetained();
        }
        waiting.clear();
    }

    /**
     * TASK REASSIGN (RFC 7143 §11.5.1 function 8, §7.2.2) arriving on {@code to}. Answers 4 below
     * ErrorRecoveryLevel 2, 1 for a task neither in progress nor kept, 3 for one whose connection
     * is still in the session or was not logged out for recovery; else 0, and once the response is
     * out the task goes on on {@code to}.
     */
    void reassign(TargetConnection to, TaskManagementRequest t) {
        if (session.parameters().errorRecoveryLevel() < 2) {
            answer(to, t, TaskManagementResponse.REASSIGNMENT_NOT_SUPPORTED);
            return;
        }
        int itt = t.referencedTaskTag();
        TargetTask task = session.task(itt);
        TargetConnection from = task != null ? task.connection() : keptBy(itt);
        if (from == null) {
            answer(to, t, TaskManagementResponse.TASK_DOES_NOT_EXIST);
            return;
        }
        Waiting w = waiting.get(from);
        if (from.inSession() || w == null || !w.loggedOut) {
            answer(to, t, TaskManagementResponse.TASK_STILL_ALLEGIANT);
            return;
        }
        // §11.6: the new allegiance takes effect once the response is sent
        answer(to, t, TaskManagementResponse.FUNCTION_COMPLETE);
        log.info(
                "session {}: ITT 0x{} reassigned from CID {} to CID {}",
                session.tsih(),
                Integer.toHexString(itt),
                from.cid(),
                to.cid());
        if (task != null) {
            task.reassignTo(to);
            ScsiOutcome held = task.heldOutcome();
            if (held != null) {
                session.finishReassigned(task, held);
            }
        } else {
            answerAgain(from, to, itt, t.expDataSn());
        }
        to.flush();
    }

    private void answer(TargetConnection to, TaskManagementRequest t, int response) {
        session.recordTaskManagement(t, response);
        session.respondTmf(to, t, response);
    }

    /** The waiting connection that kept a completed task's Data-In and status, or null. */
    private TargetConnection keptBy(int itt) {
        for (Waiting w : waiting.values()) {
            RetransmissionBuffer.SentTask kept =
                    w.conn.retained() == null ? null : w.conn.retained().sentTask(itt);
            if (kept != null && kept.status != null) {
                return w.conn;
            }
        }
        return null;
    }

    /**
     * A task that completed on the failed connection, its status not acknowledged: its Data-In from
     * ExpDataSN (0: from what a DataACK acknowledged, §11.5.6) go again as data, and the status in
     * a SCSI Response with a StatSN of the new connection (§7.2.2: the status is always sent again;
     * StatSN is per connection).
     */
    private void answerAgain(TargetConnection from, TargetConnection to, int itt, int expDataSn) {
        RetransmissionBuffer.SentTask done = from.retained().take(itt);
        CommandSequencer seq = session.sequencer();
        int first = Math.max(expDataSn, done.acknowledgedDataSn);
        List<DataIn> again = new ArrayList<>();
        for (int sn = first; sn < done.dataSent(); sn++) {
            DataIn d = done.dataIn.get(sn);
            if (d != null) {
                again.add(d);
            }
        }
        for (DataIn d : again) {
            to.send(d.dataOnly(seq.expCmdSn(), seq.maxCmdSn(), d.data().retainedDuplicate()));
        }
        to.send(
                Resend.statusOf(
                        done.status,
                        0,
                        to.nextStatSn(),
                        seq.expCmdSn(),
                        seq.maxCmdSn(),
                        done.dataSent()));
        from.retained().release(done);
    }
}
