package org.iscsilab.iscsi.node;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.iscsi.codec.DataDigestError;
import org.iscsilab.iscsi.pdu.Bhs;
import org.iscsilab.iscsi.pdu.DataIn;
import org.iscsilab.iscsi.pdu.Opcode;
import org.iscsilab.iscsi.pdu.Reject;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.iscsi.pdu.SerialNumbers;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseKey;
import org.slf4j.Logger;

/**
 * Data recovery within a command and a connection (RFC 7143 §7.1.4.1, §7.1.4.2), beside {@link
 * SnackHandler}'s answers to the initiator's SNACKs: a command sent again after it completed has
 * what was kept sent again (§7.2.1), a data digest error is rejected and, at ErrorRecoveryLevel 1
 * and above, its data asked for again (§7.8), and Data-Out that stopped coming is solicited again
 * (§7.9). At ErrorRecoveryLevel 0 a digest error fails its command. Runs on the session's event
 * loop.
 */
final class DataRecovery {
    private static final Logger log = TargetLog.get(DataRecovery.class);

    /** How long a task waits for Data-Out before what is missing is asked for again. */
    private static final long DATA_OUT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final TargetSession session;
    private final int tsih;
    private final CommandSequencer sequencer;
    private final SessionTasks tasks;

    private ScheduledFuture<?> stallWatch;

    DataRecovery(TargetSession session, SessionTasks tasks) {
        this.session = session;
        this.tsih = session.tsih();
        this.sequencer = session.sequencer();
        this.tasks = tasks;
    }

    /**
     * A connection enters the full feature phase: one that keeps what it sends (ErrorRecoveryLevel
     * 1 and above) has the session look for stalled Data-Out every second from now on.
     */
    void watch(TargetConnection conn) {
        if (conn.retained() != null && stallWatch == null) {
            stallWatch =
                    session.loop()
                            .scheduleAtFixedRate(
                                    this::recoverStalledDataOut, 1, 1, TimeUnit.SECONDS);
        }
    }

    /** The session ended: nothing is looked for any more. */
    void stop() {
        if (stallWatch != null) {
            stallWatch.cancel(false);
        }
    }

    /**
     * A command sent again after it completed (RFC 7143 §7.2.1 retry: its CmdSN is below ExpCmdSN
     * and its status is kept, not yet acknowledged): the kept Data-In and status go again instead
     * of running it twice. False when it is not such a command.
     */
    boolean answeredAgain(TargetConnection conn, ScsiCommand cmd) {
        RetransmissionBuffer.SentTask done = conn.retained().sentTask(cmd.initiatorTaskTag());
        if (done == null
                || done.status == null
                || !SerialNumbers.lessThan(cmd.cmdSn(), sequencer.expCmdSn())) {
            return false;
        }
        log.info(
                "session {}: ITT 0x{} sent again after it completed; its Data-In and status go"
                        + " again",
                tsih,
                Integer.toHexString(cmd.initiatorTaskTag()));
        for (DataIn d : done.dataIn) {
            if (d != null) {
                conn.send(
                        Resend.again(
                                d,
                                conn.currentStatSn(),
                                sequencer.expCmdSn(),
                                sequencer.maxCmdSn()));
            }
        }
        if (!(done.status instanceof DataIn)) {
            conn.send(
                    Resend.again(
                            done.status,
                            conn.currentStatSn(),
                            sequencer.expCmdSn(),
                            sequencer.maxCmdSn()));
        }
        conn.flush();
        return true;
    }

    /**
     * A PDU whose data digest was wrong (RFC 7143 §7.8): rejected with its header; then recovered
     * at ErrorRecoveryLevel 1 and above, else its command fails with CHECK CONDITION.
     */
    void onDataDigestError(TargetConnection conn, DataDigestError err) {
        int opcode = err.opcodeCode();
        session.rejectHeader(conn, Reject.DATA_DIGEST_ERROR, err.header().retainedDuplicate(), 0);
        int itt = err.initiatorTaskTag();
        if (conn.retained() != null) {
            recoverDataDigestError(conn, err);
            conn.flush();
            return;
        }
        SenseData crc =
                SenseData.of(SenseKey.ABORTED_COMMAND, AdditionalSense.PROTOCOL_SERVICE_CRC_ERROR);
        if (opcode == Opcode.SCSI_COMMAND.code()) {
            // ErrorRecoveryLevel 0 cannot ask for the command again: count its CmdSN and fail it
            int cmdSn = Bhs.commandOrStatusSn(err.header());
            sequencer.consume(cmdSn);
            conn.responder().sendCheckCondition(itt, 0, crc);
        } else if (opcode == Opcode.DATA_OUT.code()) {
            TargetTask task = tasks.get(itt);
            if (task != null && task.connection() == conn) {
                tasks.terminate(task, crc);
            }
        }
        conn.flush();
    }

    /**
     * ErrorRecoveryLevel 1 and above (RFC 7143 §7.8, §11.17.1): the Reject went out; a command
     * whose immediate data was damaged is not counted as received (its CmdSN stays a gap the
     * initiator fills by sending it again, §7.3); damaged Data-Out is asked for again with a
     * recovery R2T; other PDUs the initiator sends again.
     */
    private void recoverDataDigestError(TargetConnection conn, DataDigestError err) {
        ByteBuf h = err.header();
        if (err.opcodeCode() == Opcode.DATA_OUT.code()) {
            TargetTask task = tasks.get(err.initiatorTaskTag());
            if (task != null && task.connection() == conn) {
                task.lostDataOut(
                        Bhs.targetTransferTag(h),
                        Bhs.dataSn(h),
                        Bhs.bufferOffset(h),
                        Bhs.dataSegmentLength(h),
                        Bhs.finalBit(h));
            }
        }
        log.warn(
                "session {} CID {}: data digest error on opcode 0x{} ITT 0x{}: rejected, to be"
                        + " sent again",
                tsih,
                conn.cid(),
                Integer.toHexString(err.opcodeCode()),
                Integer.toHexString(err.initiatorTaskTag()));
    }

    /**
     * Asks again for Data-Out that stopped coming (RFC 7143 §7.9): a PDU lost to a header digest
     * error or in the network leaves its task waiting; at ErrorRecoveryLevel 1 and above the
     * session looks every second and solicits what is missing once a task heard nothing for {@link
     * #DATA_OUT_TIMEOUT_NANOS}.
     */
    private void recoverStalledDataOut() {
        long now = System.nanoTime();
        for (TargetTask task : tasks.all()) {
            if (task.connection().inSession()
                    && task.recoverIfStalled(now, DATA_OUT_TIMEOUT_NANOS)) {
                log.warn(
                        "session {} CID {}: Data-Out of ITT 0x{} stalled; asking again",
                        tsih,
                        task.connection().cid(),
                        Integer.toHexString(task.itt()));
                task.connection().flush();
            }
        }
    }
}
