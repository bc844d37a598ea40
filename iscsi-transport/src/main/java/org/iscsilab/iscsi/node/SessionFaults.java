package org.iscsilab.iscsi.node;

import org.iscsilab.core.fault.FaultAction;
import org.iscsilab.core.fault.FaultContext;
import org.iscsilab.core.fault.FaultRule;
import org.iscsilab.iscsi.fault.ConnectionFaultAction;
import org.iscsilab.iscsi.pdu.AsyncMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection fault rules as they apply to one session: freeze and thaw its connection, drop it,
 * send Async Messages, leave NOP-Outs or task management unanswered. Runs on the session's event
 * loop.
 */
final class SessionFaults {
    private static final Logger log = LoggerFactory.getLogger(SessionFaults.class);

    private final TargetSession session;
    private final TargetPortal portal;

    SessionFaults(TargetSession session, TargetPortal portal) {
        this.session = session;
        this.portal = portal;
    }

    /** Where the session's connection stands, for matching connection rules. */
    FaultContext context() {
        return FaultContext.connection(
                session.portal(), session.targetName(), session.initiatorName(), session.tsih());
    }

    private boolean active(Class<? extends ConnectionFaultAction> action) {
        return !portal.faults().isEmpty()
                && portal.faults().active(FaultAction.Layer.CONNECTION, action, context());
    }

    /** A freeze rule matches this session now. */
    boolean freezeActive() {
        return active(ConnectionFaultAction.Freeze.class);
    }

    boolean ignoresNops() {
        return active(ConnectionFaultAction.IgnoreNops.class);
    }

    boolean ignoresTaskManagement() {
        return active(ConnectionFaultAction.IgnoreTaskManagement.class);
    }

    /**
     * A drop rule fired for the PDU just received: the connection is closed and the PDU dropped.
     */
    boolean dropFired() {
        FaultRule drop =
                portal.faults().isEmpty()
                        ? null
                        : portal.faults().firing(ConnectionFaultAction.Drop.class, context());
        if (drop == null) {
            return false;
        }
        boolean fin = ((ConnectionFaultAction.Drop) drop.action()).fin();
        log.warn(
                "session {}: dropping the connection ({}) by fault {}",
                session.tsih(),
                fin ? "FIN" : "RST",
                drop);
        session.connection().drop(fin);
        return true;
    }

    /**
     * Brings the connection in line with the rules after a change (on the event loop): freezes or
     * thaws it, and lets a newly added drop or async rule act on it at once.
     */
    void apply(FaultRule added) {
        if (session.ended()) {
            return;
        }
        TargetConnection conn = session.connection();
        if (freezeActive()) {
            conn.freeze();
        } else {
            conn.thaw();
        }
        if (added == null) {
            return;
        }
        FaultContext c = context();
        if (added.action() instanceof ConnectionFaultAction.Drop d
                && portal.faults().fires(added, c)) {
            log.warn(
                    "session {}: dropping the connection ({}) by fault {}",
                    session.tsih(),
                    d.fin() ? "FIN" : "RST",
                    added);
            conn.drop(d.fin());
        } else if (added.action() instanceof ConnectionFaultAction.AsyncMessage a
                && portal.faults().fires(added, c)) {
            sendAsyncEvent(a.event());
        }
    }

    /**
     * RFC 7143 §11.9.1: AsyncEvent 1 asks for a logout within 3 s; 2 and 3 announce that the target
     * drops the connection or the session, which it then does.
     */
    private void sendAsyncEvent(int event) {
        log.info("session {}: sending AsyncEvent {} by a fault rule", session.tsih(), event);
        TargetConnection conn = session.connection();
        CommandSequencer sequencer = session.sequencer();
        if (event == AsyncMessage.LOGOUT_REQUESTED) {
            conn.sendAndFlush(
                    IscsiTargetServer.logoutRequest(
                            conn.nextStatSn(), sequencer.expCmdSn(), sequencer.maxCmdSn(), 3));
            return;
        }
        int p1 = event == AsyncMessage.CONNECTION_DROP ? session.cid() : 0;
        conn.send(
                AsyncMessage.event(
                        event,
                        p1,
                        session.parameters().defaultTime2Wait(),
                        session.parameters().defaultTime2Retain(),
                        conn.nextStatSn(),
                        sequencer.expCmdSn(),
                        sequencer.maxCmdSn()));
        conn.flush();
        conn.close();
    }
}
