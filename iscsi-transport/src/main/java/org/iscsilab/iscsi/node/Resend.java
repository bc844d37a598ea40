package org.iscsilab.iscsi.node;

import org.iscsilab.iscsi.pdu.AsyncMessage;
import org.iscsilab.iscsi.pdu.DataIn;
import org.iscsilab.iscsi.pdu.LogoutResponse;
import org.iscsilab.iscsi.pdu.NopIn;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ReadyToTransfer;
import org.iscsilab.iscsi.pdu.Reject;
import org.iscsilab.iscsi.pdu.ScsiResponse;
import org.iscsilab.iscsi.pdu.TaskManagementResponse;
import org.iscsilab.iscsi.pdu.TextResponse;

/**
 * A kept PDU made ready to go again (RFC 7143 §11.16.1): an exact replica except ExpCmdSN and
 * MaxCmdSN, which carry their current values, and for an R2T the current StatSN; its data is a new
 * reference to the kept bytes, which the sending releases.
 */
final class Resend {
    private Resend() {}

    static Pdu again(Pdu p, int statSn, int expCmdSn, int maxCmdSn) {
        if (p instanceof DataIn d) {
            return d.withWindow(expCmdSn, maxCmdSn, d.data().retainedDuplicate());
        }
        if (p instanceof ReadyToTransfer r) {
            return r.withSequence(statSn, expCmdSn, maxCmdSn);
        }
        if (p instanceof ScsiResponse r) {
            return r.withWindow(expCmdSn, maxCmdSn, r.data().retainedDuplicate());
        }
        if (p instanceof NopIn n) {
            return new NopIn(
                    n.lun(),
                    n.initiatorTaskTag(),
                    n.targetTransferTag(),
                    n.statSn(),
                    expCmdSn,
                    maxCmdSn,
                    n.data().retainedDuplicate());
        }
        if (p instanceof TaskManagementResponse t) {
            return new TaskManagementResponse(
                    t.response(), t.initiatorTaskTag(), t.statSn(), expCmdSn, maxCmdSn);
        }
        if (p instanceof TextResponse t) {
            return new TextResponse(
                    t.finalFlag(),
                    t.continueFlag(),
                    t.lun(),
                    t.initiatorTaskTag(),
                    t.targetTransferTag(),
                    t.statSn(),
                    expCmdSn,
                    maxCmdSn,
                    t.data().retainedDuplicate());
        }
        if (p instanceof Reject r) {
            return new Reject(
                    r.reason(),
                    r.statSn(),
                    expCmdSn,
                    maxCmdSn,
                    r.dataSnOrR2tSn(),
                    r.data().retainedDuplicate());
        }
        if (p instanceof AsyncMessage a) {
            return a.withWindow(expCmdSn, maxCmdSn, a.data().retainedDuplicate());
        }
        if (p instanceof LogoutResponse l) {
            return new LogoutResponse(
                    l.response(),
                    l.initiatorTaskTag(),
                    l.statSn(),
                    expCmdSn,
                    maxCmdSn,
                    l.time2Wait(),
                    l.time2Retain());
        }
        throw new IllegalArgumentException(p.opcode() + " is not sent again");
    }

    /**
     * A task's kept status as a SCSI Response of its own: from a SCSI Response, or from the Data-In
     * it was collapsed into (§11.7.4, then GOOD with no sense), with this SNACK Tag (0 for none),
     * StatSN, window and ExpDataSN.
     */
    static ScsiResponse statusOf(
            Pdu kept, int snackTag, int statSn, int expCmdSn, int maxCmdSn, int expDataSn) {
        if (kept instanceof ScsiResponse r) {
            return r.sentAgain(
                    snackTag, statSn, expCmdSn, maxCmdSn, expDataSn, r.data().retainedDuplicate());
        }
        return ScsiResponse.collapsedStatusOf(
                (DataIn) kept, snackTag, statSn, expCmdSn, maxCmdSn, expDataSn);
    }
}
