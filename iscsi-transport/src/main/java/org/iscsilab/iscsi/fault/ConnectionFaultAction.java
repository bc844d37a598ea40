package org.iscsilab.iscsi.fault;

import org.iscsilab.core.fault.FaultAction;

/** Fault actions on the connections a rule matches, carried out by the iSCSI transport. */
public sealed interface ConnectionFaultAction extends FaultAction {
    @Override
    default Layer layer() {
        return Layer.CONNECTION;
    }

    /** Stops reading from and answering the connection while keeping it open. */
    record Freeze() implements ConnectionFaultAction {}

    /** Closes the connection: with a FIN, or with a reset (no FIN). */
    record Drop(boolean fin) implements ConnectionFaultAction {}

    /** Stops answering the initiator's NOP-Out pings. */
    record IgnoreNops() implements ConnectionFaultAction {}

    /** Leaves task management requests unanswered (a target whose task manager is stuck). */
    record IgnoreTaskManagement() implements ConnectionFaultAction {}

    /**
     * Sends an Async Message with this AsyncEvent (RFC 7143 §11.9.1): 1 logout request, 2
     * connection drop, 3 session drop.
     */
    record AsyncMessage(int event) implements ConnectionFaultAction {}
}
