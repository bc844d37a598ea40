package org.iscsilab.iscsi.node;

import java.util.ArrayList;
import java.util.List;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.pdu.LogoutRequest;
import org.iscsilab.iscsi.pdu.LogoutResponse;
import org.slf4j.Logger;

/**
 * Logout Requests (RFC 7143 §11.14) and their responses (§11.15): reason 0 closes the session,
 * reason 1 one connection, named by its CID (it may be another connection than the one the request
 * came on); reason 2, removing a connection for recovery, needs ErrorRecoveryLevel 2. Runs on the
 * session's event loop.
 */
final class LogoutExchange {
    private static final Logger log = TargetLog.get(LogoutExchange.class);

    private final TargetSession session;
    private final TargetPortal portal;
    private final SessionTasks tasks;
    private final SessionConnections connections;
    private final ConnectionRecovery recovery;
    private final CommandSequencer sequencer;
    private final SessionParameters params;
    private final int tsih;
    private final String initiatorName;

    LogoutExchange(
            TargetSession session,
            TargetPortal portal,
            SessionTasks tasks,
            SessionConnections connections,
            ConnectionRecovery recovery) {
        this.session = session;
        this.portal = portal;
        this.tasks = tasks;
        this.connections = connections;
        this.recovery = recovery;
        this.sequencer = session.sequencer();
        this.params = session.parameters();
        this.tsih = session.tsih();
        this.initiatorName = session.initiatorName();
    }

    void onLogout(TargetConnection conn, LogoutRequest l) {
        TargetConnection closing =
                l.reasonCode() == LogoutRequest.CLOSE_SESSION
                        ? conn
                        : connections.connection(l.cid());
        int response;
        if (l.reasonCode() == LogoutRequest.CLOSE_SESSION
                || l.reasonCode() == LogoutRequest.CLOSE_CONNECTION) {
            response =
                    closing == null
                            ? LogoutResponse.CID_NOT_FOUND
                            : LogoutResponse.CLOSED_SUCCESSFULLY;
        } else {
            response = removeForRecovery(conn, closing, l);
            closing = null; // nothing more to close here
        }
        LogoutResponse resp =
                new LogoutResponse(
                        response,
                        l.initiatorTaskTag(),
                        conn.nextStatSn(),
                        sequencer.expCmdSn(),
                        sequencer.maxCmdSn(),
                        params.defaultTime2Wait(),
                        params.defaultTime2Retain());
        if (response != LogoutResponse.CLOSED_SUCCESSFULLY || closing == null) {
            conn.sendAndFlush(resp);
            return;
        }
        boolean wholeSession =
                l.reasonCode() == LogoutRequest.CLOSE_SESSION
                        || connections.count() == 1 && closing == conn;
        if (wholeSession) {
            log.info("logout: {} TSIH {}", initiatorName, tsih);
            portal.events().logout(initiatorName, tsih, "logout");
            tasks.abort(task -> true);
            // the I_T nexus ends with the logout, not when the TCP connection is gone: its
            // reservations are released before the initiator can act on the Logout Response
            List<TargetConnection> others = new ArrayList<>(connections.list());
            others.remove(conn);
            session.end();
            conn.closeAfter(resp);
            others.forEach(TargetConnection::close);
            return;
        }
        log.info("logout: {} TSIH {} closes connection CID {}", initiatorName, tsih, l.cid());
        portal.events().logout(initiatorName, tsih, "logout of connection CID " + l.cid());
        connections.leave(closing);
        tasks.terminateAllegiantTo(closing);
        if (closing == conn) {
            conn.closeAfter(resp);
        } else {
            closing.close();
            conn.sendAndFlush(resp);
        }
    }

    /**
     * Logout reason 2, "remove the connection for recovery" (RFC 7143 §11.14.1): at
     * ErrorRecoveryLevel 2 the named connection (closed now if still open) has its tasks wait for
     * TASK REASSIGN; 2 below that level, 1 for an unknown CID, and 3 when it names the connection
     * it came on, which cannot carry the reassignment it prepares.
     */
    private int removeForRecovery(TargetConnection conn, TargetConnection named, LogoutRequest l) {
        if (!recovery.enabled()) {
            return LogoutResponse.RECOVERY_NOT_SUPPORTED;
        }
        if (named == conn) {
            return LogoutResponse.CLEANUP_FAILED;
        }
        long expStatSn = Integer.toUnsignedLong(l.expStatSn());
        if (named != null) {
            connections.leave(named);
            named.close();
            recovery.keep(named, true, expStatSn);
        } else if (!recovery.loggedOut(l.cid(), expStatSn)) {
            return LogoutResponse.CID_NOT_FOUND;
        }
        log.info(
                "logout: {} TSIH {} removes connection CID {} for recovery",
                initiatorName,
                tsih,
                l.cid());
        portal.events()
                .logout(initiatorName, tsih, "connection CID " + l.cid() + " removed for recovery");
        return LogoutResponse.CLOSED_SUCCESSFULLY;
    }
}
