package org.iscsilab.iscsi.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.fault.CommandRange;
import org.iscsilab.core.fault.FaultAction;
import org.iscsilab.core.fault.FaultContext;
import org.iscsilab.core.fault.FaultRule;
import org.iscsilab.core.fault.ScsiFaultAction;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.core.lu.TaskAttribute;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.iscsi.codec.DataDigestError;
import org.iscsilab.iscsi.codec.PduEncoder;
import org.iscsilab.iscsi.fault.ConnectionFaultAction;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.LogoutRequest;
import org.iscsilab.iscsi.pdu.LogoutResponse;
import org.iscsilab.iscsi.pdu.NopOut;
import org.iscsilab.iscsi.pdu.Opcode;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ReadyToTransfer;
import org.iscsilab.iscsi.pdu.Reject;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.iscsi.pdu.SnackRequest;
import org.iscsilab.iscsi.pdu.TaskManagementRequest;
import org.iscsilab.iscsi.pdu.TaskManagementResponse;
import org.iscsilab.iscsi.pdu.TextRequest;
import org.iscsilab.iscsi.pdu.TextResponse;
import org.iscsilab.iscsi.pdu.UnknownPdu;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A target session in the full feature phase (RFC 7143 §4, ErrorRecoveryLevel 0, one connection):
 * orders commands by CmdSN, tracks tasks by ITT, moves data with R2T/Data-Out and Data-In, answers
 * NOP, task management, text and logout. Runs on its connection's event loop.
 */
public final class TargetSession {
    private static final Logger log = LoggerFactory.getLogger(TargetSession.class);

    private final TargetConnection conn;
    private final TargetPortal portal;
    private final IscsiTarget target;
    private final int tsih;
    private final long isid;
    private final String initiatorName;
    private final SessionParameters params;
    private final int cid;
    private final ItNexus nexus;
    private final CommandSequencer sequencer;

    /** Tasks in progress by ITT (a primitive map: no boxing per command). */
    private final IntObjectMap<TargetTask> tasks = new IntObjectHashMap<>();

    private final TextExchange text;
    private final ScsiResponder responder;
    private final SessionFaults faults;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final EventLoop loop;
    private final NopExchange nops;
    private final String logTag;

    /** Made once: a method reference per command would be an allocation per command. */
    private final TargetTask.R2tSender r2tSender = this::sendR2t;

    private final Consumer<TargetTask> executeTask = this::execute;

    TargetSession(
            TargetConnection conn,
            TargetPortal portal,
            IscsiTarget target,
            int tsih,
            long isid,
            String initiatorName,
            SessionParameters params,
            int initialCmdSn,
            int cid) {
        this.conn = conn;
        this.portal = portal;
        this.target = target;
        this.tsih = tsih;
        this.isid = isid;
        this.initiatorName = initiatorName;
        this.params = params;
        this.cid = cid;
        this.loop = conn.channel().eventLoop();
        this.sequencer = new CommandSequencer(initialCmdSn, portal.settings().commandWindow());
        String targetPort =
                (target == null ? "discovery" : target.name())
                        + ",t,0x"
                        + Integer.toHexString(conn.portalGroupTag());
        this.nexus =
                new ItNexus(initiatorName + ",i,0x" + String.format("%012x", isid), targetPort);
        InetAddress peer =
                conn.channel().remoteAddress() instanceof InetSocketAddress r
                        ? r.getAddress()
                        : null;
        // SendTargets lists only the targets this initiator may log in to
        this.logTag = LogContext.session(tsih);
        this.text =
                new TextExchange(
                        portal, target, t -> t.access().refusal(initiatorName, peer) == null);
        this.responder = new ScsiResponder(conn, sequencer, params, portal.metrics());
        this.faults = new SessionFaults(this, portal);
        this.nops =
                new NopExchange(this, conn, sequencer, params, portal.settings().nopInTimeout());
    }

    public int tsih() {
        return tsih;
    }

    /** This session in log lines (the MDC), made once. */
    String logTag() {
        return logTag;
    }

    public long isid() {
        return isid;
    }

    public String initiatorName() {
        return initiatorName;
    }

    /** The tag of the portal group the session logged in through (its target port). */
    public int portalGroupTag() {
        return conn.portalGroupTag();
    }

    public String targetName() {
        return target == null ? null : target.name();
    }

    public SessionParameters parameters() {
        return params;
    }

    public ItNexus nexus() {
        return nexus;
    }

    /** The portal the session's connection arrived on, "host:port". */
    public String portal() {
        return conn.localPortal();
    }

    public boolean discovery() {
        return target == null;
    }

    /** The connection faults that apply to this session. */
    SessionFaults faults() {
        return faults;
    }

    boolean ended() {
        return ended.get();
    }

    TargetConnection connection() {
        return conn;
    }

    int cid() {
        return cid;
    }

    void start() {
        for (FaultRule r :
                portal.faults().list()) { // async rules act on sessions that log in later too
            if (r.action() instanceof ConnectionFaultAction.AsyncMessage) {
                faults.apply(r);
            }
        }
        faults.apply(null);
        nops.start(portal.settings().nopInInterval());
    }

    void handle(Pdu pdu) {
        if (ended.get()) {
            pdu.release(); // the session is over (cold reset, reinstatement): nothing more is
            // executed
            return;
        }
        if (pdu instanceof ScsiCommand c) {
            onScsiCommand(c);
        } else if (pdu instanceof DataOut d) {
            onDataOut(d);
        } else if (pdu instanceof NopOut n) {
            nops.onNopOut(n);
        } else if (pdu instanceof TaskManagementRequest t) {
            sequenced(t.immediate(), t.cmdSn(), () -> onTaskManagement(t));
        } else if (pdu instanceof TextRequest t) {
            sequenced(t.immediate(), t.cmdSn(), () -> onText(t));
        } else if (pdu instanceof LogoutRequest l) {
            sequenced(l.immediate(), l.cmdSn(), () -> onLogout(l));
        } else if (pdu instanceof SnackRequest s) {
            // RFC 7143 §11.16: SNACK needs ErrorRecoveryLevel > 0; at 0 it is a protocol error
            reject(Reject.PROTOCOL_ERROR, s);
        } else if (pdu instanceof UnknownPdu u) {
            log.warn(
                    "session {}: unknown opcode 0x{} rejected",
                    tsih,
                    Integer.toHexString(u.opcodeCode()));
            reject(Reject.COMMAND_NOT_SUPPORTED, u);
            u.release();
        } else {
            log.warn(
                    "session {}: {} is not an initiator PDU in the full feature phase",
                    tsih,
                    pdu.opcode());
            reject(Reject.PROTOCOL_ERROR, pdu);
            pdu.release();
        }
    }

    private void sequenced(boolean immediate, int cmdSn, Runnable action) {
        if (immediate) {
            action.run();
            return;
        }
        CommandSequencer.Admission a = sequencer.offer(cmdSn, action);
        if (a == CommandSequencer.Admission.OUT_OF_WINDOW
                || a == CommandSequencer.Admission.DUPLICATE) {
            // RFC 7143 §4.2.2.1: non-immediate commands outside the window are silently ignored
            log.warn(
                    "session {}: CmdSN {} ignored ({}; ExpCmdSN {}, MaxCmdSN {})",
                    tsih,
                    Integer.toUnsignedString(cmdSn),
                    a,
                    Integer.toUnsignedString(sequencer.expCmdSn()),
                    Integer.toUnsignedString(sequencer.maxCmdSn()));
        }
    }

    // ---- SCSI commands and data (RFC 7143 §11.3, §11.7, §11.8) ----

    private void onScsiCommand(ScsiCommand cmd) {
        if (discovery()) {
            // RFC 7143 §4.3: a discovery session carries only Text, Logout and NOP
            reject(Reject.PROTOCOL_ERROR, cmd);
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
            reject(Reject.PROTOCOL_ERROR, cmd);
            cmd.release();
            return;
        }
        if (tasks.containsKey(cmd.initiatorTaskTag())) {
            reject(Reject.TASK_IN_PROGRESS, cmd);
            cmd.release();
            return;
        }
        TargetTask task =
                new TargetTask(cmd, params, r2tSender, executeTask, conn.channel().alloc());
        tasks.put(cmd.initiatorTaskTag(), task);
        if (cmd.immediate()) {
            execute(task);
            return;
        }
        CommandSequencer.Admission a = sequencer.offer(cmd.cmdSn(), task);
        if (a == CommandSequencer.Admission.OUT_OF_WINDOW
                || a == CommandSequencer.Admission.DUPLICATE) {
            log.warn(
                    "session {}: SCSI command ITT 0x{} CmdSN {} ignored ({})",
                    tsih,
                    Integer.toHexString(cmd.initiatorTaskTag()),
                    Integer.toUnsignedString(cmd.cmdSn()),
                    a);
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
                                                lun,
                                                cdb.opcode(),
                                                range.lba(),
                                                range.blocks(),
                                                Integer.toUnsignedLong(task.itt())));
        // sendfile needs the bytes untouched on their way: no data digest to compute, no fault to
        // apply
        task.allowFileDataIn(fault == null && !params.dataDigest());
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
                        onLoop(
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
                        status,
                        System.nanoTime() - task.startedNanos(),
                        cmd.write() ? cmd.expectedDataTransferLength() : 0,
                        result.dataInLength());
        complete(task, result);
    }

    /** A response of -1 records a request left unanswered. */
    void recordTaskManagement(TaskManagementRequest t, int response) {
        portal.events()
                .taskManagement(
                        initiatorName,
                        tsih,
                        LunAddress.decode(t.lun()),
                        "function " + t.function(),
                        response < 0 ? "unanswered" : "response " + response,
                        Integer.toUnsignedLong(t.initiatorTaskTag()));
    }

    private void onLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }

    private void complete(TargetTask task, ScsiOutcome outcome) {
        if (tasks.get(task.itt()) != task || task.aborted() || ended.get()) {
            task.release(); // aborted: RFC 7143 §11.5.1, no status for an aborted task
            return;
        }
        tasks.remove(task.itt());
        try {
            responder.send(task, outcome);
        } finally {
            task.release();
        }
        conn.flush();
    }

    private int sendR2t(TargetTask task, int r2tSn, int offset, int length) {
        int ttt = conn.nextTargetTransferTag();
        conn.send(
                new ReadyToTransfer(
                        task.lunField(),
                        task.itt(),
                        ttt,
                        conn.currentStatSn(),
                        sequencer.expCmdSn(),
                        sequencer.maxCmdSn(),
                        r2tSn,
                        offset,
                        length));
        conn.flush();
        return ttt;
    }

    private void onDataOut(DataOut d) {
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
        if (!task.command().write()) {
            reject(Reject.PROTOCOL_ERROR, d);
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
            reject(
                    error == TargetTask.DataOutError.DATA_SN
                            ? Reject.PROTOCOL_ERROR
                            : Reject.INVALID_PDU_FIELD,
                    header);
            terminate(task, SenseData.of(SenseKey.ABORTED_COMMAND, error.sense()));
        }
    }

    /**
     * Ends a task early with CHECK CONDITION; the logical unit's own completion is then dropped.
     */
    private void terminate(TargetTask task, SenseData sense) {
        tasks.remove(task.itt());
        task.abort();
        responder.sendCheckCondition(task.itt(), task.expDataSn(), sense);
        task.release();
        conn.flush();
    }

    void onDataDigestError(DataDigestError err) {
        int opcode = err.opcodeCode();
        rejectHeader(Reject.DATA_DIGEST_ERROR, err.header().retainedDuplicate());
        int itt = err.initiatorTaskTag();
        SenseData crc =
                SenseData.of(SenseKey.ABORTED_COMMAND, AdditionalSense.PROTOCOL_SERVICE_CRC_ERROR);
        if (opcode == Opcode.SCSI_COMMAND.code()) {
            // ErrorRecoveryLevel 0 cannot ask for the command again: count its CmdSN and fail it
            int cmdSn = err.header().getInt(err.header().readerIndex() + 24);
            sequencer.consume(cmdSn);
            responder.sendCheckCondition(itt, 0, crc);
        } else if (opcode == Opcode.DATA_OUT.code()) {
            TargetTask task = tasks.get(itt);
            if (task != null) {
                terminate(task, crc);
            }
        }
        conn.flush();
    }

    // ---- Task management (RFC 7143 §11.5, SAM-5 §7) ----

    private void onTaskManagement(TaskManagementRequest t) {
        TaskManagement.handle(this, t);
    }

    /** Sends a TMF response for this request. */
    void respondTmf(TaskManagementRequest t, int response) {
        conn.sendAndFlush(
                new TaskManagementResponse(
                        response,
                        t.initiatorTaskTag(),
                        conn.nextStatSn(),
                        sequencer.expCmdSn(),
                        sequencer.maxCmdSn()));
    }

    IscsiTarget target() {
        return target;
    }

    CommandSequencer sequencer() {
        return sequencer;
    }

    TargetTask task(int itt) {
        return tasks.get(itt);
    }

    /**
     * Aborts this session's tasks that match; runs on the session's event loop. Returns how many.
     */
    CompletableFuture<Integer> abortTasks(Predicate<TargetTask> which) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        onLoop(
                () -> {
                    List<TargetTask> victims = new ArrayList<>();
                    tasks.values()
                            .removeIf(
                                    task -> {
                                        if (which.test(task)) {
                                            victims.add(task);
                                            return true;
                                        }
                                        return false;
                                    });
                    for (TargetTask task : victims) {
                        task.abort();
                        task.release();
                    }
                    done.complete(victims.size());
                });
        return done;
    }

    void runOnLoop(Runnable r) {
        onLoop(r);
    }

    // ---- Text (RFC 7143 §11.10) and Logout (§11.14) ----

    private void onText(TextRequest t) {
        TextExchange.Reply r =
                text.handle(t, params.peerMaxRecvDataSegmentLength(), conn::nextTargetTransferTag);
        conn.sendAndFlush(
                new TextResponse(
                        r.finalFlag(),
                        r.continueFlag(),
                        t.lun(),
                        t.initiatorTaskTag(),
                        r.targetTransferTag(),
                        conn.nextStatSn(),
                        sequencer.expCmdSn(),
                        sequencer.maxCmdSn(),
                        r.data()));
    }

    private void onLogout(LogoutRequest l) {
        int response;
        switch (l.reasonCode()) {
            case LogoutRequest.CLOSE_SESSION -> response = LogoutResponse.CLOSED_SUCCESSFULLY;
            case LogoutRequest.CLOSE_CONNECTION ->
                    response =
                            l.cid() == cid
                                    ? LogoutResponse.CLOSED_SUCCESSFULLY
                                    : LogoutResponse.CID_NOT_FOUND;
            default -> response = LogoutResponse.RECOVERY_NOT_SUPPORTED; // ErrorRecoveryLevel 0
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
        if (response == LogoutResponse.CLOSED_SUCCESSFULLY) {
            log.info("logout: {} TSIH {}", initiatorName, tsih);
            portal.events().logout(initiatorName, tsih, "logout");
            abortTasks(task -> true);
            // the I_T nexus ends with the logout, not when the TCP connection is gone: its
            // reservations are released before the initiator can act on the Logout Response
            end();
            conn.closeAfter(resp);
        } else {
            conn.sendAndFlush(resp);
        }
    }

    // ---- Reject (RFC 7143 §11.17) ----

    void reject(int reason, Pdu pdu) {
        // RFC 7143 §11.17.1: the data segment is the rejected PDU's header
        rejectHeader(
                reason,
                PduEncoder.basicHeaderSegment(
                        UnpooledByteBufAllocator.DEFAULT, pdu, pdu.data().readableBytes(), 0));
    }

    private void rejectHeader(int reason, ByteBuf header) {
        conn.sendAndFlush(
                new Reject(
                        reason,
                        conn.nextStatSn(),
                        sequencer.expCmdSn(),
                        sequencer.maxCmdSn(),
                        0,
                        header));
    }

    // ---- Ending ----

    /** Another login replaced this session (RFC 7143 §6.3.5): it ends now. */
    void reinstated() {
        end();
        onLoop(conn::close);
    }

    void connectionClosed() {
        end();
    }

    /**
     * The initiator closed this session's connection and the connection's event loop has not
     * processed it yet: the session ends now, as the event loop would end it (at error recovery
     * level 0 a session ends with its only connection), so a login that follows the close finds the
     * I_T nexus gone (SAM-5 §6.3.4 I_T nexus loss).
     */
    boolean endIfClosedByPeer() {
        if (ended.get() || !PeerClosure.seen(conn.channel())) {
            return false;
        }
        log.info(
                "session TSIH {} of {}: its connection was closed by the initiator; ending it",
                tsih,
                initiatorName);
        end();
        onLoop(conn::close);
        return true;
    }

    /**
     * TARGET COLD RESET: the session ends at once, before its connection is closed, so no command
     * that arrives in between runs on the old I_T nexus (RFC 7143 §11.5.1).
     */
    void endForColdReset() {
        end();
    }

    private void end() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        portal.sessions().remove(this);
        if (target != null) {
            target.detach(this);
            target.device().nexusLost(nexus);
        }
        onLoop(
                () -> {
                    nops.stop();
                    tasks.values()
                            .forEach(
                                    task -> {
                                        task.abort();
                                        task.release();
                                    });
                    tasks.clear();
                });
    }

    void closeConnection() {
        onLoop(conn::close);
    }

    /** Asks the initiator to log out within {@code seconds} (RFC 7143 §11.9.1 AsyncEvent 1). */
    void requestLogout(int seconds) {
        onLoop(
                () -> {
                    if (!ended.get()) {
                        conn.sendAndFlush(
                                IscsiTargetServer.logoutRequest(
                                        conn.nextStatSn(),
                                        sequencer.expCmdSn(),
                                        sequencer.maxCmdSn(),
                                        seconds));
                    }
                });
    }
}
