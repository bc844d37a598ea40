package org.iscsilab.iscsi.node;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.iscsilab.core.fault.FaultRule;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.iscsi.fault.ConnectionFaultAction;
import org.iscsilab.iscsi.login.LoginException;
import org.iscsilab.iscsi.login.LoginStatus;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.pdu.AsyncMessage;
import org.slf4j.Logger;

/**
 * The connections of a session, and its end for want of them (RFC 7143 §6.3.4, §6.3.5): logins join
 * it, at most MaxConnections (§13.2), one with a member's CID reinstating that member; a closed
 * connection leaves it, its tasks ending with it or, at ErrorRecoveryLevel 2, waiting for recovery
 * (§7.1.4.3), while the others hear of a drop the target made (§11.9.1 AsyncEvent 2). The session
 * ends with its last connection, or past Time2Wait + Time2Retain with none. Membership changes
 * under this object's lock, on the connections' own event loops; the rest runs on the session's.
 */
final class SessionConnections {
    private static final Logger log = TargetLog.get(SessionConnections.class);

    private final TargetSession session;
    private final TargetPortal portal;
    private final SessionTasks tasks;
    private final ConnectionRecovery recovery;
    private final DataRecovery dataRecovery;
    private final CommandSequencer sequencer;
    private final SessionParameters params;
    private final int tsih;
    private final String initiatorName;

    /** In login order; changed under this object's lock by logins and closes. */
    private final List<TargetConnection> connections = new CopyOnWriteArrayList<>();

    SessionConnections(
            TargetSession session,
            TargetPortal portal,
            SessionTasks tasks,
            ConnectionRecovery recovery,
            DataRecovery dataRecovery) {
        this.session = session;
        this.portal = portal;
        this.tasks = tasks;
        this.recovery = recovery;
        this.dataRecovery = dataRecovery;
        this.sequencer = session.sequencer();
        this.params = session.parameters();
        this.tsih = session.tsih();
        this.initiatorName = session.initiatorName();
    }

    /**
     * Takes in a connection whose login is complete (its Login Response not yet sent). One with the
     * CID of a connection the session has replaces it (RFC 7143 §6.3.4 connection reinstatement:
     * below ErrorRecoveryLevel 2 the old connection's tasks end without a response); a new CID
     * counts against MaxConnections (§13.2). Returns the ExpCmdSN the Login Response reports: the
     * session's (one window for all connections, §4.2.2.1), or the login's CmdSN when the login
     * replaced the session's only connection, whose tasks all ended with it.
     */
    synchronized int join(TargetConnection conn, int loginCmdSn, int loginExpStatSn)
            throws LoginException {
        if (session.ended()) {
            throw new LoginException(
                    LoginStatus.SESSION_DOES_NOT_EXIST, "session TSIH " + tsih + " has ended");
        }
        long expStatSn = Integer.toUnsignedLong(loginExpStatSn);
        TargetConnection old = connection(conn.cid());
        if (old != null) {
            log.info(
                    "session {}: connection reinstatement of CID {} from {}",
                    tsih,
                    conn.cid(),
                    conn.remote());
            connections.remove(old);
            old.leaveSession();
            old.close();
            connections.add(conn);
            if (recovery.enabled()) {
                // §6.3.4 at ErrorRecoveryLevel 2: an implicit "remove the connection for
                // recovery"; its tasks wait for TASK REASSIGN
                session.runOnLoop(() -> recovery.keep(old, true, expStatSn));
                return sequencer.expCmdSn();
            }
            boolean onlyConnection = connections.size() == 1;
            session.runOnLoop(
                    () -> {
                        tasks.terminateAllegiantTo(old);
                        if (onlyConnection) {
                            sequencer.restartAt(loginCmdSn);
                        }
                    });
            return onlyConnection ? loginCmdSn : sequencer.expCmdSn();
        } else if (connections.size() >= params.maxConnections()) {
            throw new LoginException(
                    LoginStatus.TOO_MANY_CONNECTIONS,
                    "session TSIH "
                            + tsih
                            + " has its "
                            + params.maxConnections()
                            + " connections (MaxConnections)");
        }
        connections.add(conn);
        if (recovery.enabled()) {
            // a login with the CID of a connection that failed logs that one out (§6.3.4)
            session.runOnLoop(() -> recovery.loggedOut(conn.cid(), expStatSn));
        }
        // the session's window, which a leading login started at its own CmdSN (§4.2.2.1)
        return sequencer.expCmdSn();
    }

    /** After the final Login Response of {@code conn}: commands may flow on it. */
    void start(TargetConnection conn) {
        session.runOnLoop(
                () -> {
                    conn.startFullFeature();
                    dataRecovery.watch(conn);
                    ConnectionFaults faults = conn.faults();
                    // async rules act on sessions that log in later too
                    for (FaultRule r : portal.faults().list()) {
                        if (r.action() instanceof ConnectionFaultAction.AsyncMessage) {
                            faults.apply(r);
                        }
                    }
                    faults.apply(null);
                    conn.nops().start(portal.settings().nopInInterval());
                });
    }

    /** All connection rules, re-applied to every connection after a change of the rule set. */
    void applyFaults(FaultRule added) {
        session.runOnLoop(
                () -> {
                    for (TargetConnection c : connections) {
                        c.faults().apply(added);
                    }
                });
    }

    /** The session's connection with this CID, or null. */
    TargetConnection connection(int cid) {
        for (TargetConnection c : connections) {
            if (c.cid() == cid) {
                return c;
            }
        }
        return null;
    }

    int count() {
        return connections.size();
    }

    /** The connections now, the leading one first. */
    List<TargetConnection> list() {
        return List.copyOf(connections);
    }

    /**
     * Takes a connection out of the session; false when it was out already (replaced by a login
     * with its CID, logged out).
     */
    synchronized boolean leave(TargetConnection conn) {
        if (!connections.remove(conn)) {
            return false;
        }
        conn.leaveSession();
        return true;
    }

    /**
     * A connection of the session is closed. The session ends with its last connection (below
     * ErrorRecoveryLevel 2 nothing waits for a connection to come back); otherwise the connection's
     * tasks end with it and, when the target dropped it, the other connections hear of that (RFC
     * 7143 §11.9.1 AsyncEvent 2, Parameter1 its CID).
     */
    void connectionClosed(TargetConnection conn) {
        if (recovery.enabled() && !session.ended()) {
            // §7.1.4.3 at ErrorRecoveryLevel 2: the session and the connection's tasks wait for
            // the initiator to recover them, the others hear of the drop; it leaves on the
            // session's loop, so a recovery logout or TASK REASSIGN there finds it either in the
            // session or waiting for recovery
            session.runOnLoop(
                    () -> {
                        if (leave(conn)) {
                            recovery.keep(conn, false, -1);
                            if (conn.droppedByTarget()) {
                                announceDrop(conn);
                            }
                        }
                    });
            return;
        }
        boolean last;
        synchronized (this) {
            if (!leave(conn)) {
                return;
            }
            last = connections.isEmpty();
        }
        if (last) {
            session.end();
            session.runOnLoop(conn::releaseRetained);
            return;
        }
        session.runOnLoop(
                () -> {
                    tasks.terminateAllegiantTo(conn);
                    if (conn.droppedByTarget()) {
                        announceDrop(conn);
                    }
                });
    }

    /** A connection in the full feature phase, or null. */
    private TargetConnection anyConnection() {
        for (TargetConnection c : connections) {
            if (c.inSession()) {
                return c;
            }
        }
        return null;
    }

    /** Tells the initiator on another connection that the target dropped {@code dropped}. */
    private void announceDrop(TargetConnection dropped) {
        TargetConnection c = anyConnection();
        if (c == null) {
            return;
        }
        log.info(
                "session {}: AsyncEvent 2 on CID {}: connection CID {} was dropped",
                tsih,
                c.cid(),
                dropped.cid());
        c.sendAndFlush(
                AsyncMessage.event(
                        AsyncMessage.CONNECTION_DROP,
                        dropped.cid(),
                        params.defaultTime2Wait(),
                        params.defaultTime2Retain(),
                        c.nextStatSn(),
                        sequencer.expCmdSn(),
                        sequencer.maxCmdSn()));
    }

    /** Asks the initiator to log out within {@code seconds} (RFC 7143 §11.9.1 AsyncEvent 1). */
    void requestLogout(int seconds) {
        session.runOnLoop(
                () -> {
                    TargetConnection conn = anyConnection();
                    if (!session.ended() && conn != null) {
                        conn.sendAndFlush(
                                IscsiTargetServer.logoutRequest(
                                        conn.nextStatSn(),
                                        sequencer.expCmdSn(),
                                        sequencer.maxCmdSn(),
                                        seconds));
                    }
                });
    }

    /**
     * Connections of this session the initiator has closed though their event loop has not
     * processed it yet leave it now, as the event loop would make them leave (so a session whose
     * only connection that was ends here), so a login that follows the close finds the I_T nexus
     * gone (SAM-5 §6.3.4 I_T nexus loss). True when the session ended.
     */
    boolean endIfClosedByPeer() {
        if (session.ended()) {
            return false;
        }
        for (TargetConnection c : connections) {
            if (PeerClosure.seen(c.channel())) {
                log.info(
                        "session TSIH {} of {}: connection CID {} was closed by the initiator",
                        tsih,
                        initiatorName,
                        c.cid());
                connectionClosed(c);
                c.close();
            }
        }
        return session.ended();
    }

    /**
     * No connection came back within Time2Wait + Time2Retain (RFC 7143 §6.3.5 session timeout): the
     * session ends, and its I_T nexus with it.
     */
    void endAfterTime2Retain() {
        log.warn(
                "session TSIH {} of {}: no connection within Time2Wait + Time2Retain; it ends",
                tsih,
                initiatorName);
        portal.events().logout(initiatorName, tsih, "Time2Retain expired");
        session.end();
        for (LogicalUnit lu : session.target().device().logicalUnits()) {
            // the initiator port may come back: it learns of the loss on its first command
            lu.unitAttentions().forgetReportingLoss(session.nexus());
        }
    }

    /** The session ended: no connection is in it any more, nor keeps what it sent. */
    void leaveAll() {
        connections.forEach(
                c -> {
                    c.leaveSession();
                    c.releaseRetained();
                });
    }

    /** Closes every connection of the session. */
    void closeAll() {
        connections.forEach(TargetConnection::close);
    }
}
