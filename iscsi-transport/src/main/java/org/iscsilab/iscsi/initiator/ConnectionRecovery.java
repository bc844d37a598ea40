package org.iscsilab.iscsi.initiator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.pdu.LogoutRequest;
import org.iscsilab.iscsi.pdu.LogoutResponse;
import org.iscsilab.iscsi.pdu.TaskManagementRequest;
import org.iscsilab.iscsi.pdu.TaskManagementResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection recovery at ErrorRecoveryLevel 2, the initiator's side (RFC 7143 §7.1.4.3, §7.2.2; the
 * target's side has a class of the same name): the commands of a failed connection wait
 * DefaultTime2Wait (§13.15), then the connection is logged out for recovery on another one (Logout
 * reason 2, §11.14.1) or, with none left, replaced by a new one with its CID (an implicit logout,
 * §6.3.4), and each command is moved there with TASK REASSIGN. A command that gets its CmdSN while
 * no connection can carry it is parked until one can. The session and its other connections live on
 * throughout, unlike with {@link RecoveringSession}, which logs a whole session in again at level
 * 0. Event loop only, but for {@link #stop}.
 */
final class ConnectionRecovery {
    private static final Logger log = LoggerFactory.getLogger(ConnectionRecovery.class);

    /** A command that got its CmdSN while no connection could carry it; sent when one can. */
    private record Parked(Pending pending, Runnable send) {}

    private final InitiatorSession session;
    private final InitiatorConnections connections;
    private final PendingRequests requests;
    private final CommandWindow window;
    private final DigestFailureRecovery digestRecovery;
    private final List<Parked> parked = new ArrayList<>();

    /** Connections being recovered now. */
    private int recovering;

    /** The initiator logs the session out: a connection that closes now is not recovered. */
    private volatile boolean stopped;

    ConnectionRecovery(
            InitiatorSession session,
            InitiatorConnections connections,
            PendingRequests requests,
            CommandWindow window,
            DigestFailureRecovery digestRecovery) {
        this.session = session;
        this.connections = connections;
        this.requests = requests;
        this.window = window;
        this.digestRecovery = digestRecovery;
    }

    /** Whether a connection that fails now is recovered: level 2, a DefaultTime2Retain above 0. */
    boolean enabled() {
        SessionParameters params = session.parameters();
        return !stopped
                && params != null
                && params.errorRecoveryLevel() == 2
                && params.defaultTime2Retain() > 0
                && !session.closeFuture().isDone();
    }

    /** Whether a connection is being recovered now. */
    boolean underway() {
        return recovering > 0;
    }

    /** The session logs out: no connection is recovered from now on. Any thread. */
    void stop() {
        stopped = true;
    }

    /** {@code pending} got its CmdSN while no connection can carry it: {@code send} it later. */
    void park(Pending pending, Runnable send) {
        parked.add(new Parked(pending, send));
    }

    /** Sends the parked commands, when a connection can carry them. */
    void sendParked() {
        if (connections.pick() == null) {
            return;
        }
        List<Parked> ready = List.copyOf(parked);
        parked.clear();
        ready.forEach(c -> c.send().run());
    }

    /** The session ends: the parked commands will never be sent. */
    void failParked(Throwable why) {
        for (Parked c : parked) {
            requests.fail(c.pending(), why);
        }
        parked.clear();
    }

    /**
     * {@code conn} failed with {@code orphans} unanswered: its commands wait for its recovery, its
     * other requests fail.
     */
    void recover(InitiatorConnection conn, List<Pending> orphans) {
        IscsiInitiatorException lost = new IscsiInitiatorException("connection closed");
        List<Pending> commands = new ArrayList<>();
        for (Pending p : orphans) {
            if (p.command != null) {
                commands.add(p);
            } else {
                requests.fail(p, lost);
            }
        }
        recover(conn.cid(), conn.expStatSn(), commands);
    }

    /**
     * After DefaultTime2Wait (§13.15), the failed connection is logged out for recovery on another
     * connection (Logout reason 2, §11.14.1), or, with none left, replaced by a new one with its
     * CID (an implicit logout, §6.3.4); then each of its commands is reassigned there with TASK
     * REASSIGN (§11.5.1).
     */
    private void recover(int cid, int expStatSn, List<Pending> commands) {
        recovering++;
        log.warn(
                "session TSIH {}: connection CID {} failed with {} commands; recovering it in {} s",
                session.tsih(),
                cid,
                commands.size(),
                session.parameters().defaultTime2Wait());
        session.loop()
                .schedule(
                        () -> {
                            InitiatorConnection via = connections.pick();
                            CompletableFuture<InitiatorConnection> ready =
                                    via != null
                                            ? logoutForRecovery(via, cid, expStatSn)
                                            : connections.reconnect(cid, expStatSn);
                            ready.whenComplete(
                                    (c, e) ->
                                            session.onLoop(
                                                    () -> {
                                                        recovering--;
                                                        if (e != null) {
                                                            giveUp(cid, commands, e);
                                                        } else {
                                                            commands.forEach(p -> reassign(c, p));
                                                            sendParked();
                                                        }
                                                    }));
                        },
                        session.parameters().defaultTime2Wait(),
                        TimeUnit.SECONDS);
    }

    /**
     * Logout reason 2 for {@code cid} on {@code via}; its ExpStatSN is the failed connection's
     * (§11.14.1), so the target keeps what it sent there that did not arrive.
     */
    private CompletableFuture<InitiatorConnection> logoutForRecovery(
            InitiatorConnection via, int cid, int expStatSn) {
        Pending p = new Pending();
        int itt = requests.add(via, p);
        via.writeAndFlush(
                new LogoutRequest(
                        true,
                        LogoutRequest.REMOVE_CONNECTION_FOR_RECOVERY,
                        itt,
                        cid,
                        window.cmdSn(),
                        expStatSn));
        return p.future.thenCompose(
                response ->
                        (Integer) response == LogoutResponse.CLOSED_SUCCESSFULLY
                                ? CompletableFuture.completedFuture(via)
                                : CompletableFuture.failedFuture(
                                        new IscsiInitiatorException(
                                                "recovery logout of CID "
                                                        + cid
                                                        + " refused: response "
                                                        + response)));
    }

    private void giveUp(int cid, List<Pending> commands, Throwable why) {
        log.warn(
                "session TSIH {}: connection CID {} not recovered: {}",
                session.tsih(),
                cid,
                why.toString());
        IscsiInitiatorException lost =
                new IscsiInitiatorException("connection CID " + cid + " not recovered", why);
        commands.forEach(p -> requests.fail(p, lost));
        if (connections.isEmpty() && recovering == 0) {
            session.endSession(lost);
        }
    }

    /**
     * TASK REASSIGN for one command on {@code via} (§7.2.2); ExpDataSN names the first Data-In not
     * received. Done: the command is allegiant to {@code via} and the target finishes it there.
     * "Task does not exist": it never arrived, so it is sent again on {@code via} (§7.2.1).
     */
    private void reassign(InitiatorConnection via, Pending p) {
        if (p.future.isDone()) {
            return;
        }
        int expDataSn = p.dataInSeen == null ? 0 : p.dataInSeen.contiguous();
        Pending tmf = new Pending();
        int itt = requests.add(via, tmf);
        // the new allegiance holds once the response is sent (§11.6): it is set before the
        // target's R2Ts or Data-In that follow the response on the same connection are read
        tmf.future.whenComplete(
                (r, e) -> {
                    int response = e == null ? (Integer) r : -1;
                    if (response == TaskManagementResponse.FUNCTION_COMPLETE) {
                        p.conn = via;
                        p.lastActivityNanos = System.nanoTime();
                        p.heldResult = null;
                    } else if (response == TaskManagementResponse.TASK_DOES_NOT_EXIST) {
                        p.conn = via;
                        p.lastActivityNanos = System.nanoTime();
                        digestRecovery.retry(p);
                    } else {
                        requests.fail(
                                p,
                                new IscsiInitiatorException(
                                        "TASK REASSIGN of ITT 0x"
                                                + Integer.toHexString(p.command.initiatorTaskTag())
                                                + " answered "
                                                + response));
                    }
                });
        via.writeAndFlush(
                TaskManagementRequest.taskReassign(
                        p.command.lun(),
                        itt,
                        p.command.initiatorTaskTag(),
                        window.cmdSn(),
                        via.expStatSn(),
                        expDataSn));
    }
}
