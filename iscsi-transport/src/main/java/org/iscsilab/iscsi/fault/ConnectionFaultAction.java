package org.iscsilab.iscsi.fault;

import org.iscsilab.core.fault.FaultAction;
import org.iscsilab.iscsi.pdu.DataIn;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ReadyToTransfer;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.iscsi.pdu.ScsiResponse;

/** Fault actions on the connections a rule matches, carried out by the iSCSI transport. */
public sealed interface ConnectionFaultAction extends FaultAction {
    /** Which way a PDU goes, seen from the target. */
    enum Direction {
        /** From the initiator. */
        IN,
        /** To the initiator. */
        OUT
    }

    /** Which PDUs a PDU fault applies to. */
    enum PduKind {
        ANY,
        COMMAND,
        DATA_OUT,
        DATA_IN,
        R2T,
        /** A SCSI Response, or the Data-In that carries the status. */
        STATUS;

        public boolean matches(Pdu pdu) {
            return switch (this) {
                case ANY -> true;
                case COMMAND -> pdu instanceof ScsiCommand;
                case DATA_OUT -> pdu instanceof DataOut;
                case DATA_IN -> pdu instanceof DataIn;
                case R2T -> pdu instanceof ReadyToTransfer;
                case STATUS ->
                        pdu instanceof ScsiResponse || pdu instanceof DataIn d && d.statusPresent();
            };
        }
    }

    /**
     * The next PDU with data going this way, of this kind, travels with a wrong data digest (RFC
     * 7143 §7.8): the receiver rejects it or asks for it again. Needs data digests on.
     */
    record CorruptDigest(Direction direction, PduKind kind) implements ConnectionFaultAction {}

    /**
     * The next PDU going this way, of this kind, is lost, as a network may lose it: the target
     * neither sends it nor acts on it. Error recovery level 1 and above recover it (§7.1).
     */
    record DropPdu(Direction direction, PduKind kind) implements ConnectionFaultAction {}

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
