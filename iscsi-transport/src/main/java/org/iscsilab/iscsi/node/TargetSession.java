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
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.fault.CommandRange;
import org.iscsilab.core.fault.FaultAction;
import org.iscsilab.core.fault.FaultContext;
import org.iscsilab.core.fault.FaultRule;
import org.iscsilab.core.fault.ScsiFaultAction;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.core.lu.TaskAttribute;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.iscsi.codec.DataDigestError;
import org.iscsilab.iscsi.codec.PduEncoder;
import org.iscsilab.iscsi.fault.ConnectionFaultAction;
import org.iscsilab.iscsi.login.LoginException;
import org.iscsilab.iscsi.login.LoginStatus;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.pdu.AsyncMessage;
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
 * A target session in the full feature phase (RFC 7143 §4): one or more connections
 * (MaxConnections, §13.2), one CmdSN window for all of them (§4.2.2.1), tasks by ITT, each
 * allegiant to the connection its command came on (§7.1.2: its data, R2Ts and status go on that
 * connection). Moves data with R2T/Data-Out and Data-In, answers NOP, task management, text and
 * logout. All of it runs on the session's event loop, the leading connection's; PDUs of connections
 * on other loops hop there.
 */
public final class TargetSession {
    private static final Logger log = LoggerFactory.getLogger(TargetSession.class);

    private final TargetPortal portal;
    private final IscsiTarget target;
    private final int tsih;
    private final long isid;
    private final String initiatorName;
    private final SessionParameters params;
    private final int portalGroupTag;
    private final ItNexus nexus;
    private final CommandSequencer sequencer;

    /** Tasks in progress by ITT (a primitive map: no boxing per command). */
    private final IntObjectMap<TargetTask> tasks = new IntObjectHashMap<>();

    /**
     * The session's connections, in login order; changed under the session's lock by logins and
     * closes, which run on the connections' own event loops.
     */
    private final List<TargetConnection> connections = new CopyOnWriteArrayList<>();

    /** The portal of the leading connection, "host:port". */
    private final String portalName;

    private final TextExchange text;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final EventLoop loop;
    private final String logTag;

    /** Made once: a method reference per command would be an allocation per command. */
    private final TargetTask.R2tSender r2tSender = this::sendR2t;

    private final Consumer<TargetTask> executeTask = this::execute;

    TargetSession(
            TargetConnection leading,
            TargetPortal portal,
            IscsiTarget target,
            int tsih,
            long isid,
            String initiatorName,
            SessionParameters params,
            int initialCmdSn) {
        this.portal = portal;
        this.target = target;
        this.tsih = tsih;
        this.isid = isid;
        this.initiatorName = initiatorName;
        this.params = params;
        this.portalGroupTag = leading.portalGroupTag();
        this.portalName = leading.localPortal();
        this.loop = leading.channel().eventLoop();
        this.sequencer = new CommandSequencer(initialCmdSn, portal.settings().commandWindow());
        String targetPort =
                (target == null ? "discovery" : target.name())
                        + ",t,0x"
                        + Integer.toHexString(portalGroupTag);
        this.nexus =
                new ItNexus(initiatorName + ",i,0x" + String.format("%012x", isid), targetPort);
        InetAddress peer =
                leading.channel().remoteAddress() instanceof InetSocketAddress r
                        ? r.getAddress()
                        : null;
        // SendTargets lists only the targets this initiator may log in to
        this.logTag = LogContext.session(tsih);
        this.text =
                new TextExchange(
                        portal, target, t -> t.access().refusal(initiatorName, peer) == null);
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
        return portalGroupTag;
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

    /** The portal the session's leading connection arrived on, "host:port". */
    public String portal() {
        return portalName;
    }

    /** How many connections the session has now. */
    public int connectionCount() {
        return connections.size();
    }

    public boolean discovery() {
        return target == null;
    }

    boolean ended() {
        return ended.get();
    }

    /** The session's connections now (the leading one first). */
    List<TargetConnection> connections() {
        return List.copyOf(connections);
    }

    EventLoop loop() {
        return loop;
    }

    /** True for this initiator port and target port (RFC 7143 §6.3.5, §11.12.6). */
    boolean identifiedBy(String initiator, long isid, String targetName, int portalGroupTag) {
        return this.isid == isid
                && this.initiatorName.equals(initiator)
                && Objects.equals(targetName(), targetName)
                && this.portalGroupTag == portalGroupTag;
    }

    /**
     * Takes in a connection whose login is complete (its Login Response not yet sent). One with the
     * CID of a connection the session has replaces it (RFC 7143 §6.3.4 connection reinstatement:
     * below ErrorRecoveryLevel 2 the old connection's tasks end without a response); a new CID
     * counts against MaxConnections (§13.2). Returns the ExpCmdSN the Login Response reports: the
     * session's (one window for all connections, §4.2.2.1), or the login's CmdSN when the login
     * replaced the session's only connection, whose tasks all ended with it.
     */
    synchronized int join(TargetConnection conn, int loginCmdSn) throws LoginException {
        if (ended.get()) {
            throw new LoginException(
                    LoginStatus.SESSION_DOES_NOT_EXIST, "session TSIH " + tsih + " has ended");
        }
        TargetConnection old = connection(conn.cid());
        if (old != null) {
            log.info(
                    "session {}: connection reinstatement of CID {} from {}",
                    tsih,
                    conn.cid(),
                    conn.remote());
            connections.remove(old);
            old.leaveSession();
            boolean onlyConnection = connections.isEmpty();
            onLoop(
                    () -> {
                        terminateTasksOf(old);
                        if (onlyConnection) {
                            sequencer.restartAt(loginCmdSn);
                        }
                    });
            old.close();
            connections.add(conn);
            return onlyConnection ? loginCmdSn : sequencer.expCmdSn();
        } else if (connections.size() >= params.maxConnections()) {
            throw new LoginException(
                    LoginStatus.TOO_MANY_CONNECTIONS,
                    "session TSIH "
                            + tsih
                            + " has its "
                            + params.maxConnections()
                            + " connections (MaxConnections)");
        }
        connections.add(conn);
        return connections.size() == 1 ? loginCmdSn : sequencer.expCmdSn();
    }

    /** The session's connection with this CID, or null. */
    TargetConnection connection(int cid) {
        for (TargetConnection c : connections) {
            if (c.cid() == cid) {
                return c;
            }
        }
        return null;
    }

    /** After the final Login Response of {@code conn}: commands may flow on it. */
    void start(TargetConnection conn) {
        onLoop(
                () -> {
                    conn.startFullFeature();
                    ConnectionFaults faults = conn.faults();
                    // async rules act on sessions that log in later too
                    for (FaultRule r : portal.faults().list()) {
                        if (r.action() instanceof ConnectionFaultAction.AsyncMessage) {
                            faults.apply(r);
                        }
                    }
                    faults.apply(null);
                    conn.nops().start(portal.settings().nopInInterval());
                });
    }

    /** All connection rules, re-applied to every connection after a change of the rule set. */
    void applyFaults(FaultRule added) {
        onLoop(
                () -> {
                    for (TargetConnection c : connections) {
                        c.faults().apply(added);
                    }
                });
    }

    /**
     * A PDU (or a data digest error) from one of the session's connections, read on that
     * connection's event loop; handled on the session's.
     */
    void receive(TargetConnection conn, Object msg) {
        if (loop.inEventLoop()) {
            dispatch(conn, msg);
            return;
        }
        loop.execute(
                () -> {
                    LogContext.enter(LogContext.connection(conn.remote()), logTag);
                    try {
                        dispatch(conn, msg);
                        conn.flushIfNeeded();
                    } catch (RuntimeException e) {
                        // what the connection's pipeline would do with it on its own loop
                        log.error(
                                "dropping connection CID {} after an internal error",
                                conn.cid(),
                                e);
                        conn.dropByTarget();
                    } finally {
                        LogContext.clear();
                    }
                });
    }

    private void dispatch(TargetConnection conn, Object msg) {
        if (msg instanceof DataDigestError err) {
            try {
                if (!ended.get() && conn.inSession()) {
                    onDataDigestError(conn, err);
                }
            } finally {
                err.header().release();
            }
            return;
        }
        handle(conn, (Pdu) msg);
    }

    private void handle(TargetConnection conn, Pdu pdu) {
        if (ended.get() || !conn.inSession()) {
            // the session is over (cold reset, reinstatement) or the connection left it: nothing
            // more is executed
            pdu.release();
            return;
        }
        if (pdu instanceof ScsiCommand c) {
            onScsiCommand(conn, c);
        } else if (pdu instanceof DataOut d) {
            onDataOut(conn, d);
        } else if (pdu instanceof NopOut n) {
            conn.nops().onNopOut(n);
        } else if (pdu instanceof TaskManagementRequest t) {
            sequenced(t.immediate(), t.cmdSn(), () -> onTaskManagement(conn, t));
        } else if (pdu instanceof TextRequest t) {
            sequenced(t.immediate(), t.cmdSn(), () -> onText(conn, t));
        } else if (pdu instanceof LogoutRequest l) {
            sequenced(l.immediate(), l.cmdSn(), () -> onLogout(conn, l));
        } else if (pdu instanceof SnackRequest s) {
            // RFC 7143 §11.16: SNACK needs ErrorRecoveryLevel > 0; at 0 it is a protocol error
            reject(conn, Reject.PROTOCOL_ERROR, s);
        } else if (pdu instanceof UnknownPdu u) {
            log.warn(
                    "session {}: unknown opcode 0x{} rejected",
                    tsih,
                    Integer.toHexString(u.opcodeCode()));
            reject(conn, Reject.COMMAND_NOT_SUPPORTED, u);
            u.release();
        } else {
            log.warn(
                    "session {}: {} is not an initiator PDU in the full feature phase",
                    tsih,
                    pdu.opcode());
            reject(conn, Reject.PROTOCOL_ERROR, pdu);
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

    private void onScsiCommand(TargetConnection conn, ScsiCommand cmd) {
        SessionParameters params = conn.params();
        if (discovery()) {
            // RFC 7143 §4.3: a discovery session carries only Text, Logout and NOP
            reject(conn, Reject.PROTOCOL_ERROR, cmd);
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
            reject(conn, Reject.PROTOCOL_ERROR, cmd);
            cmd.release();
            return;
        }
        if (tasks.containsKey(cmd.initiatorTaskTag())) {
            // RFC 7143 §11.17.1: an ITT is unique across the session's connections
            reject(conn, Reject.TASK_IN_PROGRESS, cmd);
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
                                                lun,
                                                cdb.opcode(),
                                                range.lba(),
                                                range.blocks(),
                                                Integer.toUnsignedLong(task.itt())));
        // sendfile needs the bytes untouched on their way: no data digest to compute, no fault to
        // apply, and a connection on the session's own event loop, whose freeze is seen at once
        task.allowFileDataIn(fault == null && !conn.params().dataDigest() && conn.onLoopOf(this));
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
        TargetConnection conn = task.connection();
        if (tasks.get(task.itt()) != task || task.aborted() || ended.get() || !conn.inSession()) {
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

    private void onDataOut(TargetConnection conn, DataOut d) {
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
            reject(conn, Reject.PROTOCOL_ERROR, d);
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
                    conn,
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
        TargetConnection conn = task.connection();
        tasks.remove(task.itt());
        task.abort();
        conn.responder().sendCheckCondition(task.itt(), task.expDataSn(), sense);
        task.release();
        conn.flush();
    }

    private void onDataDigestError(TargetConnection conn, DataDigestError err) {
        int opcode = err.opcodeCode();
        rejectHeader(conn, Reject.DATA_DIGEST_ERROR, err.header().retainedDuplicate());
        int itt = err.initiatorTaskTag();
        SenseData crc =
                SenseData.of(SenseKey.ABORTED_COMMAND, AdditionalSense.PROTOCOL_SERVICE_CRC_ERROR);
        if (opcode == Opcode.SCSI_COMMAND.code()) {
            // ErrorRecoveryLevel 0 cannot ask for the command again: count its CmdSN and fail it
            int cmdSn = err.header().getInt(err.header().readerIndex() + 24);
            sequencer.consume(cmdSn);
            conn.responder().sendCheckCondition(itt, 0, crc);
        } else if (opcode == Opcode.DATA_OUT.code()) {
            TargetTask task = tasks.get(itt);
            if (task != null && task.connection() == conn) {
                terminate(task, crc);
            }
        }
        conn.flush();
    }

    // ---- Task management (RFC 7143 §11.5, SAM-5 §7) ----

    private void onTaskManagement(TargetConnection conn, TaskManagementRequest t) {
        TaskManagement.handle(this, conn, t);
    }

    /** Sends a TMF response for this request on the connection it came on. */
    void respondTmf(TargetConnection conn, TaskManagementRequest t, int response) {
        if (!conn.inSession()) {
            return;
        }
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

    private void onText(TargetConnection conn, TextRequest t) {
        TextExchange.Reply r =
                text.handle(
                        t,
                        conn.params().peerMaxRecvDataSegmentLength(),
                        conn::nextTargetTransferTag);
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

    /**
     * RFC 7143 §11.14: reason 0 closes the session, reason 1 one connection, named by its CID (it
     * may be another connection than the one the request came on); reason 2, removing a connection
     * for recovery, needs ErrorRecoveryLevel 2.
     */
    private void onLogout(TargetConnection conn, LogoutRequest l) {
        TargetConnection closing =
                l.reasonCode() == LogoutRequest.CLOSE_SESSION ? conn : connection(l.cid());
        int response;
        if (l.reasonCode() == LogoutRequest.CLOSE_SESSION
                || l.reasonCode() == LogoutRequest.CLOSE_CONNECTION) {
            response =
                    closing == null
                            ? LogoutResponse.CID_NOT_FOUND
                            : LogoutResponse.CLOSED_SUCCESSFULLY;
        } else {
            response = LogoutResponse.RECOVERY_NOT_SUPPORTED;
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
        if (response != LogoutResponse.CLOSED_SUCCESSFULLY) {
            conn.sendAndFlush(resp);
            return;
        }
        boolean wholeSession =
                l.reasonCode() == LogoutRequest.CLOSE_SESSION
                        || connections.size() == 1 && closing == conn;
        if (wholeSession) {
            log.info("logout: {} TSIH {}", initiatorName, tsih);
            portal.events().logout(initiatorName, tsih, "logout");
            abortTasks(task -> true);
            // the I_T nexus ends with the logout, not when the TCP connection is gone: its
            // reservations are released before the initiator can act on the Logout Response
            List<TargetConnection> others = new ArrayList<>(connections);
            others.remove(conn);
            end();
            conn.closeAfter(resp);
            others.forEach(TargetConnection::close);
            return;
        }
        log.info("logout: {} TSIH {} closes connection CID {}", initiatorName, tsih, l.cid());
        portal.events().logout(initiatorName, tsih, "logout of connection CID " + l.cid());
        leave(closing);
        terminateTasksOf(closing);
        if (closing == conn) {
            conn.closeAfter(resp);
        } else {
            closing.close();
            conn.sendAndFlush(resp);
        }
    }

    // ---- Reject (RFC 7143 §11.17) ----

    void reject(TargetConnection conn, int reason, Pdu pdu) {
        // RFC 7143 §11.17.1: the data segment is the rejected PDU's header
        rejectHeader(
                conn,
                reason,
                PduEncoder.basicHeaderSegment(
                        UnpooledByteBufAllocator.DEFAULT, pdu, pdu.data().readableBytes(), 0));
    }

    private void rejectHeader(TargetConnection conn, int reason, ByteBuf header) {
        conn.sendAndFlush(
                new Reject(
                        reason,
                        conn.nextStatSn(),
                        sequencer.expCmdSn(),
                        sequencer.maxCmdSn(),
                        0,
                        header));
    }

    // ---- Connections leaving, and the end ----

    /**
     * Takes a connection out of the session; false when it was out already (replaced by a login
     * with its CID, logged out).
     */
    private synchronized boolean leave(TargetConnection conn) {
        if (!connections.remove(conn)) {
            return false;
        }
        conn.leaveSession();
        return true;
    }

    /**
     * The tasks allegiant to a connection that left the session end without a response (RFC 7143
     * §6.3.4: below ErrorRecoveryLevel 2 there is no allegiance to reassign them to); the logical
     * unit aborts those it was executing, and each logical unit that lost one reports it to this
     * I_T nexus with a unit attention (§7.6: SOME COMMANDS CLEARED BY ISCSI PROTOCOL EVENT).
     */
    private void terminateTasksOf(TargetConnection conn) {
        List<TargetTask> victims = new ArrayList<>();
        tasks.values()
                .removeIf(
                        task -> {
                            if (task.connection() == conn) {
                                victims.add(task);
                                return true;
                            }
                            return false;
                        });
        Set<Integer> luns = new HashSet<>();
        for (TargetTask task : victims) {
            if (task.delivered()) {
                target.device()
                        .taskManager()
                        .abortTask(nexus, task.lunField(), Integer.toUnsignedLong(task.itt()));
            }
            luns.add(LunAddress.decode(task.lunField()));
            task.abort();
            task.release();
        }
        if (victims.isEmpty()) {
            return;
        }
        log.info(
                "session {}: {} tasks of connection CID {} terminated with it",
                tsih,
                victims.size(),
                conn.cid());
        for (int lun : luns) {
            LogicalUnit lu = target.device().logicalUnit(lun);
            if (lu != null) {
                lu.unitAttentions()
                        .establish(
                                nexus,
                                AdditionalSense.SOME_COMMANDS_CLEARED_BY_ISCSI_PROTOCOL_EVENT);
            }
        }
    }

    /** Another login replaced this session (RFC 7143 §6.3.5): it ends now. */
    void reinstated() {
        end();
        closeConnection();
    }

    /**
     * A connection of the session is closed. The session ends with its last connection (below
     * ErrorRecoveryLevel 2 nothing waits for a connection to come back); otherwise the connection's
     * tasks end with it and, when the target dropped it, the other connections hear of that (RFC
     * 7143 §11.9.1 AsyncEvent 2, Parameter1 its CID).
     */
    void connectionClosed(TargetConnection conn) {
        boolean last;
        synchronized (this) {
            if (!leave(conn)) {
                return;
            }
            last = connections.isEmpty();
        }
        if (last) {
            end();
            return;
        }
        onLoop(
                () -> {
                    terminateTasksOf(conn);
                    if (conn.droppedByTarget()) {
                        announceDrop(conn);
                    }
                });
    }

    /** A connection in the full feature phase, or null. */
    private TargetConnection anyConnection() {
        for (TargetConnection c : connections) {
            if (c.inSession()) {
                return c;
            }
        }
        return null;
    }

    /** Tells the initiator on another connection that the target dropped {@code dropped}. */
    private void announceDrop(TargetConnection dropped) {
        TargetConnection c = anyConnection();
        if (c == null) {
            return;
        }
        log.info(
                "session {}: AsyncEvent 2 on CID {}: connection CID {} was dropped",
                tsih,
                c.cid(),
                dropped.cid());
        c.sendAndFlush(
                AsyncMessage.event(
                        AsyncMessage.CONNECTION_DROP,
                        dropped.cid(),
                        params.defaultTime2Wait(),
                        params.defaultTime2Retain(),
                        c.nextStatSn(),
                        sequencer.expCmdSn(),
                        sequencer.maxCmdSn()));
    }

    /**
     * Connections of this session the initiator has closed though their event loop has not
     * processed it yet leave it now, as the event loop would make them leave (so a session whose
     * only connection that was ends here), so a login that follows the close finds the I_T nexus
     * gone (SAM-5 §6.3.4 I_T nexus loss). True when the session ended.
     */
    boolean endIfClosedByPeer() {
        if (ended.get()) {
            return false;
        }
        for (TargetConnection c : connections) {
            if (PeerClosure.seen(c.channel())) {
                log.info(
                        "session TSIH {} of {}: connection CID {} was closed by the initiator",
                        tsih,
                        initiatorName,
                        c.cid());
                connectionClosed(c);
                c.close();
            }
        }
        return ended.get();
    }

    /**
     * TARGET COLD RESET: the session ends at once, before its connections are closed, so no command
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
                    connections.forEach(TargetConnection::leaveSession);
                    tasks.values()
                            .forEach(
                                    task -> {
                                        task.abort();
                                        task.release();
                                    });
                    tasks.clear();
                });
    }

    /** Closes every connection of the session. */
    void closeConnection() {
        connections.forEach(TargetConnection::close);
    }

    /** Asks the initiator to log out within {@code seconds} (RFC 7143 §11.9.1 AsyncEvent 1). */
    void requestLogout(int seconds) {
        onLoop(
                () -> {
                    TargetConnection conn = anyConnection();
                    if (!ended.get() && conn != null) {
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
