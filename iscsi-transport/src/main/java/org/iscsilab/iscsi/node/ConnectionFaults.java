package org.iscsilab.iscsi.node;

import org.iscsilab.core.fault.FaultAction;
import org.iscsilab.core.fault.FaultContext;
import org.iscsilab.core.fault.FaultRule;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.iscsi.fault.ConnectionFaultAction;
import org.iscsilab.iscsi.pdu.AsyncMessage;
import org.iscsilab.iscsi.pdu.Pdu;
import org.slf4j.Logger;

/**
 * The connection fault rules as they apply to one connection of a session: freeze and thaw it, drop
 * it, send Async Messages on it, leave its NOP-Outs or task management unanswered. Matching runs on
 * any thread; {@link #apply} runs on the session's event loop.
 */
final class ConnectionFaults {
    private static final Logger log = TargetLog.get(ConnectionFaults.class);

    private final TargetSession session;
    private final TargetConnection conn;
    private final TargetPortal portal;

    ConnectionFaults(TargetSession session, TargetConnection conn, TargetPortal portal) {
        this.session = session;
        this.conn = conn;
        this.portal = portal;
    }

    /** Where this connection stands, for matching connection rules. */
    FaultContext context() {
        return FaultContext.connection(
                conn.localPortal(),
                session.targetName(),
                session.initiatorName(),
                session.tsih(),
                conn.cid());
    }

    private boolean active(Class<? extends ConnectionFaultAction> action) {
        return !portal.faults().isEmpty()
                && portal.faults().active(FaultAction.Layer.CONNECTION, action, context());
    }

    /** A freeze rule matches this connection now. */
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
     * Runs on the connection's event loop.
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
                "session {} CID {}: dropping the connection ({}) by fault {}",
                session.tsih(),
                conn.cid(),
                fin ? "FIN" : "RST",
                drop);
        conn.drop(fin);
        return true;
    }

    /**
     * A PDU fault that fires for {@code pdu} going {@code direction} on this connection, or null: a
     * lost PDU, or (with data digests on and data in the PDU) a spoiled data digest. Runs on the
     * connection's event loop.
     */
    ConnectionFaultAction pduFault(
            ConnectionFaultAction.Direction direction, Pdu pdu, boolean dataDigests) {
        if (portal.faults().isEmpty()) {
            return null;
        }
        boolean digestable = dataDigests && pdu.data().readableBytes() > 0;
        FaultRule r =
                portal.faults()
                        .firing(
                                a ->
                                        a instanceof ConnectionFaultAction.DropPdu d
                                                        && d.direction() == direction
                                                        && d.kind().matches(pdu)
                                                || a
                                                                instanceof
                                                                ConnectionFaultAction.CorruptDigest
                                                                        c
                                                        && digestable
                                                        && c.direction() == direction
                                                        && c.kind().matches(pdu),
                                context());
        if (r == null) {
            return null;
        }
        log.warn(
                "session {} CID {}: {} {} ITT 0x{} by fault {}",
                session.tsih(),
                conn.cid(),
                r.action() instanceof ConnectionFaultAction.DropPdu
                        ? "losing"
                        : "spoiling the data digest of",
                pdu.opcode(),
                Integer.toHexString(pdu.initiatorTaskTag()),
                r);
        return (ConnectionFaultAction) r.action();
    }

    /**
     * Brings the connection in line with the rules after a change (on the session's event loop):
     * freezes or thaws it, and lets a newly added drop or async rule act on it at once.
     */
    void apply(FaultRule added) {
        if (session.ended() || !conn.inSession()) {
            return;
        }
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
                    "session {} CID {}: dropping the connection ({}) by fault {}",
                    session.tsih(),
                    conn.cid(),
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
     * drops this connection (Parameter1 its CID) or every connection of the session, which it then
     * does.
     */
    private void sendAsyncEvent(int event) {
        log.info(
                "session {} CID {}: sending AsyncEvent {} by a fault rule",
                session.tsih(),
                conn.cid(),
                event);
        CommandSequencer sequencer = session.sequencer();
        if (event == AsyncMessage.LOGOUT_REQUESTED) {
            conn.sendAndFlush(
                    IscsiTargetServer.logoutRequest(
                            conn.nextStatSn(), sequencer.expCmdSn(), sequencer.maxCmdSn(), 3));
            return;
        }
        int p1 = event == AsyncMessage.CONNECTION_DROP ? conn.cid() : 0;
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
        if (event == AsyncMessage.CONNECTION_DROP) {
            conn.dropAfterNotice();
        } else {
            session.closeConnection();
        }
    }
}
