package org.iscsilab.iscsi.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.store.FileSpan;
import org.iscsilab.iscsi.codec.FileSegmentPdu;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.metrics.TargetMetrics;
import org.iscsilab.iscsi.pdu.DataIn;
import org.iscsilab.iscsi.pdu.Residual;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.iscsi.pdu.ScsiResponse;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseData;

/**
 * Sends a command's end to the initiator: its data-in as Data-In PDUs in input sequences of at most
 * MaxBurstLength, each PDU at most the initiator's MaxRecvDataSegmentLength (RFC 7143 §11.7), with
 * the status collapsed into the last one when GOOD (§11.7.4), else a SCSI Response with the
 * residual and the sense data (§11.4). One per session; runs on its event loop.
 */
final class ScsiResponder {
    private final TargetConnection conn;
    private final CommandSequencer sequencer;
    private final SessionParameters params;
    private final TargetMetrics metrics;

    ScsiResponder(
            TargetConnection conn,
            CommandSequencer sequencer,
            SessionParameters params,
            TargetMetrics metrics) {
        this.conn = conn;
        this.sequencer = sequencer;
        this.params = params;
        this.metrics = metrics;
    }

    /** Sends Data-In (status collapsed into the last one when GOOD) and/or the SCSI Response. */
    void send(TargetTask task, ScsiOutcome outcome) {
        if (outcome.dataInFile() != null && conn.frozen()) {
            outcome = outcome.inMemory(); // held PDUs keep their bytes, not a promise of a file's
        }
        ScsiCommand cmd = task.command();
        int edtl = cmd.expectedDataTransferLength();
        Residual residual = Residual.of(outcome.commandDataLength(), edtl);
        int sendLength = cmd.read() ? Math.min(outcome.dataInLength(), edtl) : 0;
        boolean collapse = sendLength > 0 && outcome.status() == ScsiStatus.GOOD;
        if (sendLength > 0) {
            sendDataIn(task, outcome, sendLength, collapse ? residual : null);
        }
        if (!collapse) {
            ByteBuf sense =
                    outcome.sense() == null
                            ? Unpooled.EMPTY_BUFFER
                            : senseSegment(outcome.encodedSense());
            conn.send(
                    ScsiResponse.completed(
                            task.itt(),
                            outcome.status().code(),
                            residual,
                            conn.nextStatSn(),
                            sequencer.expCmdSn(),
                            sequencer.maxCmdSn(),
                            task.expDataSn(),
                            sense));
        }
    }

    /**
     * {@code statusResidual} non-null: the last Data-In carries the (GOOD) status and this
     * residual.
     */
    private void sendDataIn(
            TargetTask task, ScsiOutcome outcome, int sendLength, Residual statusResidual) {
        FileSpan file = outcome.dataInFile();
        ByteBuf all = file == null ? task.dataInFor(outcome.dataIn()) : null;
        try {
            int offset = 0;
            int burstLeft = params.maxBurstLength();
            while (offset < sendLength) {
                int n =
                        Math.min(
                                Math.min(
                                        params.peerMaxRecvDataSegmentLength(), sendLength - offset),
                                burstLeft);
                boolean last = offset + n == sendLength;
                // RFC 7143 §11.7.1: F ends each input sequence of at most MaxBurstLength bytes
                boolean endOfSequence = last || burstLeft == n;
                ByteBuf data =
                        file == null
                                ? all.retainedSlice(all.readerIndex() + offset, n)
                                : Unpooled.EMPTY_BUFFER;
                long lun = task.command().lun();
                // RFC 7143 §11.7.2: at ErrorRecoveryLevel 1 and above, the end of each input
                // sequence but the last asks for a DataACK, so kept data goes before the status
                boolean askAck = endOfSequence && !last && params.errorRecoveryLevel() >= 1;
                DataIn pdu =
                        askAck
                                ? DataIn.dataAskingAck(
                                        lun,
                                        task.itt(),
                                        conn.nextTargetTransferTag(),
                                        task.nextDataSn(),
                                        offset,
                                        sequencer.expCmdSn(),
                                        sequencer.maxCmdSn(),
                                        data)
                                : last && statusResidual != null
                                        ? DataIn.withStatus(
                                                lun,
                                                task.itt(),
                                                task.nextDataSn(),
                                                offset,
                                                ScsiStatus.GOOD.code(),
                                                statusResidual,
                                                conn.nextStatSn(),
                                                sequencer.expCmdSn(),
                                                sequencer.maxCmdSn(),
                                                data)
                                        : DataIn.data(
                                                lun,
                                                task.itt(),
                                                task.nextDataSn(),
                                                offset,
                                                endOfSequence,
                                                sequencer.expCmdSn(),
                                                sequencer.maxCmdSn(),
                                                data);
                if (file == null) {
                    conn.send(pdu);
                } else {
                    conn.send(
                            new FileSegmentPdu(
                                    pdu,
                                    FileSegmentPdu.regionOf(
                                            file.channel(), file.position() + offset, n)));
                    metrics.sentFromFile(n);
                }
                offset += n;
                burstLeft = endOfSequence ? params.maxBurstLength() : burstLeft - n;
            }
        } finally {
            if (all != null) {
                all.release();
            }
        }
    }

    /** A SCSI Response with CHECK CONDITION, for a task the transport ends itself. */
    void sendCheckCondition(int itt, int expDataSn, SenseData sense) {
        conn.send(
                ScsiResponse.completed(
                        itt,
                        ScsiStatus.CHECK_CONDITION.code(),
                        Residual.NONE,
                        conn.nextStatSn(),
                        sequencer.expCmdSn(),
                        sequencer.maxCmdSn(),
                        expDataSn,
                        senseSegment(sense.encodeFixed())));
    }

    /** RFC 7143 §11.4.7.1: SenseLength, then the sense data. */
    private static ByteBuf senseSegment(byte[] sense) {
        return Unpooled.buffer(2 + sense.length).writeShort(sense.length).writeBytes(sense);
    }
}
