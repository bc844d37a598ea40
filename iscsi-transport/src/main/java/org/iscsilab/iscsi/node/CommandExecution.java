package org.iscsilab.iscsi.node;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.fault.CommandRange;
import org.iscsilab.core.fault.FaultAction;
import org.iscsilab.core.fault.FaultContext;
import org.iscsilab.core.fault.FaultRule;
import org.iscsilab.core.fault.ScsiFaultAction;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.core.lu.TaskAttribute;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.ReadyToTransfer;
import org.iscsilab.iscsi.pdu.Reject;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseKey;
import org.slf4j.Logger;

/**
 * A session's SCSI commands, from the SCSI Command PDU to the status (RFC 7143 §11.3, §11.4): each
 * waits for its CmdSN (§4.2.2.1), solicits its write data with R2Ts and takes its Data-Out (§11.7,
 * §11.8), runs on the SCSI target device with the fault rules that fire on it, and sends its end
 * unless it was aborted (§11.5.1: no status then) or its connection failed (§7.2.2: it answers once
 * reassigned). Records each command's event and metrics. Runs on the session's event loop.
 */
final class CommandExecution {
    private static final Logger log = TargetLog.get(CommandExecution.class);

    private final TargetSession session;
    private final TargetPortal portal;
    private final IscsiTarget target;
    private final ItNexus nexus;
    private final int tsih;
    private final String initiatorName;
    private final EventLoop loop;
    private final CommandSequencer sequencer;
    private final SessionTasks tasks;
    private final ConnectionRecovery recovery;
    private final DataRecovery dataRecovery;

    /** Made once: a method reference per command would be an allocation per command. */
    private final TargetTask.R2tSender r2tSender = this::sendR2t;

    private final Consumer<TargetTask> executeTask = this::execute;

    CommandExecution(
            TargetSession session,
            TargetPortal portal,
            SessionTasks tasks,
            ConnectionRecovery recovery,
            DataRecovery dataRecovery) {
        this.session = session;
        this.portal = portal;
        this.target = session.target();
        this.nexus = session.nexus();
        this.tsih = session.tsih();
        this.initiatorName = session.initiatorName();
        this.loop = session.loop();
        this.sequencer = session.sequencer();
        this.tasks = tasks;
        this.recovery = recovery;
        this.dataRecovery = dataRecovery;
    }

    void onScsiCommand(TargetConnection conn, ScsiCommand cmd) {
        SessionParameters params = conn.params();
        if (session.discovery()) {
            // RFC 7143 §4.3: a discovery session carries only Text, Logout and NOP
            session.reject(conn, Reject.PROTOCOL_ERROR, cmd);
            cmd.release();
            return;
        }
        int immediate = cmd.data().readableBytes();
        if (immediate > 0
                && (!params.immediateData()
                        || !cmd.write()
                        || immediate > params.firstBurstLength()
                        || immediate > cmd.expectedDataTransferLength())) {
            // RFC 7143 §13.11, §13.14: immediate data only when negotiated and within
            // FirstBurstLength
            session.reject(conn, Reject.PROTOCOL_ERROR, cmd);
            cmd.release();
            return;
        }
        TargetTask existing = tasks.get(cmd.initiatorTaskTag());
        if (existing != null
                && conn.retained() != null
                && existing.command().cmdSn() == cmd.cmdSn()
                && existing.connection() == conn) {
            // RFC 7143 §7.2.1: the same command again (same ITT and CmdSN), sent to fill what
            // the initiator took for a gap; the task goes on and answers once
            log.info(
                    "session {}: ITT 0x{} CmdSN {} sent again while in progress; ignored",
                    tsih,
                    Integer.toHexString(cmd.initiatorTaskTag()),
                    Integer.toUnsignedString(cmd.cmdSn()));
            cmd.release();
            return;
        }
        if (existing == null && conn.retained() != null && dataRecovery.answeredAgain(conn, cmd)) {
            cmd.release();
            return;
        }
        if (existing != null) {
            // RFC 7143 §11.17.1: an ITT is unique across the session's connections
            session.reject(conn, Reject.TASK_IN_PROGRESS, cmd);
            cmd.release();
            return;
        }
        TargetTask task = new TargetTask(cmd, conn, r2tSender, executeTask);
        tasks.put(cmd.initiatorTaskTag(), task);
        if (cmd.immediate()) {
            execute(task);
            return;
        }
        CommandSequencer.Admission a = sequencer.offer(cmd.cmdSn(), task);
        if (a == CommandSequencer.Admission.OUT_OF_WINDOW
                || a == CommandSequencer.Admission.DUPLICATE) {
            log.warn(
                    "session {}: SCSI command ITT 0x{} CmdSN {} ignored ({}; ExpCmdSN {}, MaxCmdSN"
                            + " {})",
                    tsih,
                    Integer.toHexString(cmd.initiatorTaskTag()),
                    Integer.toUnsignedString(cmd.cmdSn()),
                    a,
                    Integer.toUnsignedString(sequencer.expCmdSn()),
                    Integer.toUnsignedString(sequencer.maxCmdSn()));
            tasks.remove(cmd.initiatorTaskTag());
            task.release();
        }
    }

    private void execute(TargetTask task) {
        if (task.aborted()) {
            return;
        }
        ScsiCommand cmd = task.command();
        Cdb cdb = Cdb.adopting(cmd.cdb()); // the decoder made this array for this command alone
        ScsiTask st =
                new ScsiTask(
                        nexus,
                        cmd.lun(),
                        cdb,
                        cmd.initiatorTaskTag() & 0xFFFFFFFFL,
                        TaskAttribute.fromCode(cmd.attribute()),
                        cmd.expectedDataTransferLength(),
                        task,
                        task); // the task's own data-out and pooled data-in memory
        int lun = LunAddress.decode(cmd.lun());
        CommandRange range = CommandRange.of(cdb);
        TargetConnection conn = task.connection();
        task.executing(lun, cdb.opcode(), range.lba(), range.blocks(), System.nanoTime());
        ScsiTargetDevice device = target.device();
        FaultRule fault =
                portal.faults().isEmpty()
                        ? null
                        : portal.faults()
                                .firing(
                                        FaultAction.Layer.SCSI,
                                        new FaultContext(
                                                conn.localPortal(),
                                                target.name(),
                                                initiatorName,
                                                tsih,
                                                conn.cid(),
                                                lun,
                                                cdb.opcode(),
                                                range.lba(),
                                                range.blocks(),
                                                Integer.toUnsignedLong(task.itt())));
        // sendfile needs the bytes untouched on their way: no data digest to compute, no fault to
        // apply, and a connection on the session's own event loop, whose freeze is seen at once
        task.allowFileDataIn(
                fault == null
                        && !conn.params().dataDigest()
                        && conn.onLoopOf(session)
                        && conn.retained() == null); // Data-In kept for SNACK is in memory
        portal.metrics().commandStarted(lun);
        // a rule that fires on the SCSI layer carries a SCSI action (its layer says so)
        CompletableFuture<ScsiOutcome> outcome =
                device.execute(st, fault == null ? null : (ScsiFaultAction) fault.action());
        if (outcome.isDone() && !outcome.isCompletedExceptionally() && loop.inEventLoop()) {
            // a RAM LUN finishes on the spot: complete without a callback stage
            finish(task, outcome.join());
            return;
        }
        outcome.whenComplete(
                (o, err) ->
                        session.runOnLoop(
                                () -> {
                                    if (err instanceof CancellationException
                                            || err instanceof CompletionException
                                                    && err.getCause()
                                                            instanceof CancellationException) {
                                        dropAborted(task);
                                    } else {
                                        finish(task, o);
                                    }
                                }));
    }

    /**
     * The device's task manager aborted the task (task management, a reset, nexus loss): no status
     * goes out for it (RFC 7143 §11.5.1), whether or not the session has heard of the abort yet.
     */
    private void dropAborted(TargetTask task) {
        portal.metrics().commandAborted(task.lun());
        if (tasks.get(task.itt()) == task) {
            tasks.remove(task.itt());
        }
        task.abort();
        task.release();
    }

    /**
     * Records a finished command and sends its status; {@code o} null means the unit failed
     * internally.
     */
    private void finish(TargetTask task, ScsiOutcome o) {
        ScsiOutcome result =
                o != null
                        ? o
                        : ScsiOutcome.checkCondition(
                                SenseData.of(
                                        SenseKey.HARDWARE_ERROR,
                                        AdditionalSense.INTERNAL_TARGET_FAILURE),
                                false);
        ScsiCommand cmd = task.command();
        String status = result.status().name();
        portal.events()
                .command(
                        initiatorName,
                        tsih,
                        task.lun(),
                        task.opcode(),
                        task.lba(),
                        task.blocks(),
                        status,
                        Integer.toUnsignedLong(task.itt()));
        portal.metrics()
                .commandDone(
                        task.lun(),
                        task.opcode(),
                        result.status(),
                        System.nanoTime() - task.startedNanos(),
                        cmd.write() ? cmd.expectedDataTransferLength() : 0,
                        result.dataInLength());
        complete(task, result);
    }

    /**
     * Sends a task's end on its connection; a task whose connection failed holds it until it is
     * reassigned, which calls this again.
     */
    void complete(TargetTask task, ScsiOutcome outcome) {
        TargetConnection conn = task.connection();
        if (tasks.get(task.itt()) == task
                && !task.aborted()
                && !session.ended()
                && recovery.waits(conn)) {
            task.hold(outcome); // its connection failed: it answers once reassigned (§7.2.2)
            return;
        }
        if (tasks.get(task.itt()) != task
                || task.aborted()
                || session.ended()
                || !conn.inSession()) {
            task.release(); // aborted: RFC 7143 §11.5.1, no status for an aborted task
            return;
        }
        tasks.remove(task.itt());
        try {
            conn.responder().send(task, outcome);
        } finally {
            task.release();
        }
        conn.flush();
    }

    private int sendR2t(TargetTask task, int r2tSn, int offset, int length) {
        TargetConnection conn = task.connection();
        int ttt = conn.nextTargetTransferTag();
        conn.send(
                ReadyToTransfer.soliciting(
                        task.lunField(),
                        task.itt(),
                        ttt,
                        r2tSn,
                        offset,
                        length,
                        conn.currentStatSn(),
                        sequencer.expCmdSn(),
                        sequencer.maxCmdSn()));
        conn.flush();
        return ttt;
    }

    void onDataOut(TargetConnection conn, DataOut d) {
        TargetTask task = tasks.get(d.initiatorTaskTag());
        if (task == null) {
            // the task already ended (e.g. CHECK CONDITION before all unsolicited data arrived)
            log.debug(
                    "session {}: Data-Out for unknown ITT 0x{} discarded",
                    tsih,
                    Integer.toHexString(d.initiatorTaskTag()));
            d.release();
            return;
        }
        if (!task.command().write() || task.connection() != conn) {
            // RFC 7143 §7.1.2: a task's Data-Out goes on the connection its command came on
            session.reject(conn, Reject.PROTOCOL_ERROR, d);
            d.release();
            return;
        }
        int length = d.data().readableBytes();
        TargetTask.DataOutError error = task.onDataOut(d);
        if (error != null) {
            // the header alone goes back in the Reject; the payload was released with the PDU
            DataOut header =
                    new DataOut(
                            d.finalFlag(),
                            d.lun(),
                            d.initiatorTaskTag(),
                            d.targetTransferTag(),
                            d.expStatSn(),
                            d.dataSn(),
                            d.bufferOffset(),
                            Unpooled.EMPTY_BUFFER);
            log.warn(
                    "session {}: Data-Out for ITT 0x{} rejected ({}): DataSN {}, offset {}, length {}",
                    tsih,
                    Integer.toHexString(task.itt()),
                    error,
                    d.dataSn(),
                    d.bufferOffset(),
                    length);
            session.reject(
                    conn,
                    error == TargetTask.DataOutError.DATA_SN
                            ? Reject.PROTOCOL_ERROR
                            : Reject.INVALID_PDU_FIELD,
                    header);
            tasks.terminate(task, SenseData.of(SenseKey.ABORTED_COMMAND, error.sense()));
        }
    }
}
