package org.iscsilab.iscsi.node;

import java.util.List;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.iscsi.pdu.DataIn;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.Reject;
import org.iscsilab.iscsi.pdu.ScsiResponse;
import org.iscsilab.iscsi.pdu.SnackRequest;
import org.slf4j.Logger;

/**
 * Answers SNACK Requests (RFC 7143 §11.16) from what the connection kept ({@link
 * RetransmissionBuffer}): Data/R2T SNACK sends the Data-In or R2Ts again, Status SNACK the numbered
 * responses, DataACK lets acknowledged Data-In go, R-Data sends a task's unacknowledged Data-In
 * again and its status in a SCSI Response that carries the SNACK Tag. What was never sent or is
 * already acknowledged is refused with Reject "protocol error" (§11.16), what was let go with
 * "SNACK reject" (§11.17.1). Runs on the session's event loop.
 */
final class SnackHandler {
    private static final Logger log = TargetLog.get(SnackHandler.class);

    private final TargetSession session;

    SnackHandler(TargetSession session) {
        this.session = session;
    }

    void handle(TargetConnection conn, SnackRequest s) {
        RetransmissionBuffer kept = conn.retained();
        switch (s.type()) {
            case SnackRequest.DATA_R2T -> dataOrR2t(conn, kept, s);
            case SnackRequest.STATUS -> status(conn, kept, s);
            case SnackRequest.DATA_ACK -> {
                // §11.16.2: BegRun is the next DataSN expected; RunLength must be 0
                if (s.runLength() != 0 || !kept.dataAck(s.targetTransferTag(), s.begRun())) {
                    session.reject(conn, Reject.INVALID_DATA_ACK, s);
                }
            }
            case SnackRequest.R_DATA -> rData(conn, kept, s);
            default -> session.reject(conn, Reject.PROTOCOL_ERROR, s);
        }
    }

    private void dataOrR2t(TargetConnection conn, RetransmissionBuffer kept, SnackRequest s) {
        RetransmissionBuffer.SentTask t = kept.sentTask(s.initiatorTaskTag());
        boolean data = t != null && !t.dataIn.isEmpty();
        Object asked =
                data
                        ? kept.dataIn(s.initiatorTaskTag(), s.begRun(), s.runLength())
                        : kept.r2ts(s.initiatorTaskTag(), s.begRun(), s.runLength());
        if (asked instanceof RetransmissionBuffer.Refusal r) {
            // §11.17.1: a Data/R2T SNACK refused as a protocol error names the next DataSN/R2TSN
            int next = t == null ? 0 : data ? t.dataSent() : t.r2ts.size();
            refuse(conn, r, s, next);
            return;
        }
        log.info(
                "session {} CID {}: SNACK for {} of ITT 0x{} from {}: sending {} again",
                session.tsih(),
                conn.cid(),
                data ? "Data-In" : "R2Ts",
                Integer.toHexString(s.initiatorTaskTag()),
                s.begRun(),
                ((List<?>) asked).size());
        sendAgain(conn, (List<?>) asked);
    }

    private void status(TargetConnection conn, RetransmissionBuffer kept, SnackRequest s) {
        Object asked = kept.responses(s.begRun(), s.runLength());
        if (asked instanceof RetransmissionBuffer.Refusal r) {
            refuse(conn, r, s, 0);
            return;
        }
        log.info(
                "session {} CID {}: Status SNACK from StatSN {}: sending {} again",
                session.tsih(),
                conn.cid(),
                Integer.toUnsignedString(s.begRun()),
                ((List<?>) asked).size());
        sendAgain(conn, (List<?>) asked);
    }

    private void rData(TargetConnection conn, RetransmissionBuffer kept, SnackRequest s) {
        int tag = s.targetTransferTag();
        // §11.16.3: BegRun and RunLength 0, a SNACK Tag neither 0 nor the reserved tag
        if (s.begRun() != 0 || s.runLength() != 0 || tag == 0 || tag == Pdu.RESERVED_TAG) {
            session.reject(conn, Reject.INVALID_PDU_FIELD, s);
            return;
        }
        RetransmissionBuffer.SentTask t = kept.sentTask(s.initiatorTaskTag());
        Pdu status = t == null ? null : t.status;
        Object asked = kept.unacknowledgedDataIn(s.initiatorTaskTag());
        if (asked instanceof RetransmissionBuffer.Refusal r) {
            refuse(conn, r, s, t == null ? 0 : t.dataSent());
            return;
        }
        sendAgain(conn, (List<?>) asked);
        // the status last, in a SCSI Response with the SNACK Tag and the StatSN it had (§11.16.3)
        CommandSequencer seq = session.sequencer();
        int statSn = status instanceof ScsiResponse r ? r.statSn() : ((DataIn) status).statSn();
        conn.send(
                Resend.statusOf(status, tag, statSn, seq.expCmdSn(), seq.maxCmdSn(), t.dataSent()));
        conn.flush();
    }

    private void sendAgain(TargetConnection conn, List<?> pdus) {
        CommandSequencer seq = session.sequencer();
        for (Object o : pdus) {
            conn.send(Resend.again((Pdu) o, conn.currentStatSn(), seq.expCmdSn(), seq.maxCmdSn()));
        }
        conn.flush();
    }

    private void refuse(
            TargetConnection conn, RetransmissionBuffer.Refusal why, SnackRequest s, int next) {
        log.warn(
                "session {} CID {}: SNACK type {} ITT 0x{} BegRun {} RunLength {} refused: {}",
                session.tsih(),
                conn.cid(),
                s.type(),
                Integer.toHexString(s.initiatorTaskTag()),
                Integer.toUnsignedString(s.begRun()),
                s.runLength(),
                why);
        session.reject(
                conn,
                why == RetransmissionBuffer.Refusal.DISCARDED
                        ? Reject.SNACK_REJECT
                        : Reject.PROTOCOL_ERROR,
                s,
                next);
    }
}
