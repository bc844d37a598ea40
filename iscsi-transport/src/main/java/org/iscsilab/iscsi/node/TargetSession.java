package org.iscsilab.iscsi.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.TaskManager;
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
import org.iscsilab.iscsi.pdu.Bhs;
import org.iscsilab.iscsi.pdu.DataIn;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.LogoutRequest;
import org.iscsilab.iscsi.pdu.LogoutResponse;
import org.iscsilab.iscsi.pdu.NopOut;
import org.iscsilab.iscsi.pdu.Opcode;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ReadyToTransfer;
import org.iscsilab.iscsi.pdu.Reject;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.iscsi.pdu.SerialNumbers;
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
    private final SnackHandler snacks = new SnackHandler(this);
    private final ConnectionRecovery recovery = new ConnectionRecovery(this);
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
    synchronized int join(TargetConnection conn, int loginCmdSn, int loginExpStatSn)
            throws LoginException {
        if (ended.get()) {
            throw new LoginException(
                    LoginStatus.SESSION_DOES_NOT_EXIST, "session TSIH " + tsih + " has ended");
        }
        long expStatSn = Integer.toUnsignedLong(loginExpStatSn);
        TargetConnection old = connection(conn.cid());
        if (old != null) {
            log.info(
                    "session {}: connection reinstatement of CID {} from {}",
                    tsih,
                    conn.cid(),
                    conn.remote());
            connections.remove(old);
            old.leaveSession();
            old.close();
            connections.add(conn);
            if (recovery.enabled()) {
                // §6.3.4 at ErrorRecoveryLevel 2: an implicit "remove the connection for
                // recovery"; its tasks wait for TASK REASSIGN
                onLoop(() -> recovery.keep(old, true, expStatSn));
                return sequencer.expCmdSn();
            }
            boolean onlyConnection = connections.size() == 1;
            onLoop(
                    () -> {
                        terminateTasksOf(old);
                        if (onlyConnection) {
                            sequencer.restartAt(loginCmdSn);
                        }
                    });
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
        if (recovery.enabled()) {
            // a login with the CID of a connection that failed logs that one out (§6.3.4)
            onLoop(() -> recovery.loggedOut(conn.cid(), expStatSn));
        }
        // the session's window, which a leading login started at its own CmdSN (§4.2.2.1)
        return sequencer.expCmdSn();
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
                    if (conn.retained() != null && stallWatch == null) {
                        stallWatch =
                                loop.scheduleAtFixedRate(
                                        this::recoverStalledDataOut, 1, 1, TimeUnit.SECONDS);
                    }
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
        long expStatSn = conn.retained() == null ? -1 : expStatSnOf(pdu);
        if (expStatSn >= 0) {
            conn.retained().acknowledge((int) expStatSn);
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
            if (conn.retained() == null) {
                // RFC 7143 §11.16: SNACK needs ErrorRecoveryLevel > 0; at 0 it is a protocol error
                reject(conn, Reject.PROTOCOL_ERROR, s);
            } else {
                snacks.handle(conn, s);
            }
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

    /** The ExpStatSN an initiator PDU carries (RFC 7143 §4.2.2.2), unsigned; -1 for none. */
    private static long expStatSnOf(Pdu pdu) {
        int e;
        if (pdu instanceof ScsiCommand c) {
            e = c.expStatSn();
        } else if (pdu instanceof DataOut d) {
            e = d.expStatSn();
        } else if (pdu instanceof NopOut n) {
            e = n.expStatSn();
        } else if (pdu instanceof SnackRequest s) {
            e = s.expStatSn();
        } else if (pdu instanceof TaskManagementRequest t) {
            e = t.expStatSn();
        } else if (pdu instanceof TextRequest t) {
            e = t.expStatSn();
        } else if (pdu instanceof LogoutRequest l) {
            e = l.expStatSn();
        } else {
            return -1;
        }
        return Integer.toUnsignedLong(e);
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
        if (existing == null && conn.retained() != null && answeredAgain(conn, cmd)) {
            cmd.release();
            return;
        }
        if (existing != null) {
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

    /**
     * A command sent again after it completed (RFC 7143 §7.2.1 retry: its CmdSN is below ExpCmdSN
     * and its status is kept, not yet acknowledged): the kept Data-In and status go again instead
     * of running it twice. False when it is not such a command.
     */
    private boolean answeredAgain(TargetConnection conn, ScsiCommand cmd) {
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
                        && conn.onLoopOf(this)
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
                        result.status(),
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
        if (tasks.get(task.itt()) == task
                && !task.aborted()
                && !ended.get()
                && recovery.waits(conn)) {
            task.hold(outcome); // its connection failed: it answers once reassigned (§7.2.2)
            return;
        }
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

    /** A task reassigned after its logical unit finished: its answer goes on the new connection. */
    void finishReassigned(TargetTask task, ScsiOutcome outcome) {
        complete(task, outcome);
    }

    ConnectionRecovery recovery() {
        return recovery;
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
                terminate(task, crc);
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
        for (TargetTask task : tasks.values()) {
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

    private static final long DATA_OUT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private ScheduledFuture<?> stallWatch;

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
            response = removeForRecovery(conn, closing, l);
            closing = null; // nothing more to close here
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
        if (response != LogoutResponse.CLOSED_SUCCESSFULLY || closing == null) {
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
        reject(conn, reason, pdu, 0);
    }

    /** A Reject naming, for a refused Data/R2T SNACK, the next DataSN or R2TSN (§11.17.1). */
    void reject(TargetConnection conn, int reason, Pdu pdu, int dataSnOrR2tSn) {
        // RFC 7143 §11.17.1: the data segment is the rejected PDU's header
        rejectHeader(
                conn,
                reason,
                PduEncoder.basicHeaderSegment(
                        UnpooledByteBufAllocator.DEFAULT, pdu, pdu.data().readableBytes(), 0),
                dataSnOrR2tSn);
    }

    private void rejectHeader(TargetConnection conn, int reason, ByteBuf header) {
        rejectHeader(conn, reason, header, 0);
    }

    private void rejectHeader(
            TargetConnection conn, int reason, ByteBuf header, int dataSnOrR2tSn) {
        conn.sendAndFlush(
                new Reject(
                        reason,
                        conn.nextStatSn(),
                        sequencer.expCmdSn(),
                        sequencer.maxCmdSn(),
                        dataSnOrR2tSn,
                        header));
    }

    /**
     * Logout reason 2, "remove the connection for recovery" (RFC 7143 §11.14.1): at
     * ErrorRecoveryLevel 2 the named connection (closed now if still open) has its tasks wait for
     * TASK REASSIGN; 2 below that level, 1 for an unknown CID, and 3 when it names the connection
     * it came on, which cannot carry the reassignment it prepares.
     */
    private int removeForRecovery(TargetConnection conn, TargetConnection named, LogoutRequest l) {
        if (!recovery.enabled()) {
            return LogoutResponse.RECOVERY_NOT_SUPPORTED;
        }
        if (named == conn) {
            return LogoutResponse.CLEANUP_FAILED;
        }
        long expStatSn = Integer.toUnsignedLong(l.expStatSn());
        if (named != null) {
            leave(named);
            named.close();
            recovery.keep(named, true, expStatSn);
        } else if (!recovery.loggedOut(l.cid(), expStatSn)) {
            return LogoutResponse.CID_NOT_FOUND;
        }
        log.info(
                "logout: {} TSIH {} removes connection CID {} for recovery",
                initiatorName,
                tsih,
                l.cid());
        portal.events()
                .logout(initiatorName, tsih, "connection CID " + l.cid() + " removed for recovery");
        return LogoutResponse.CLOSED_SUCCESSFULLY;
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
     * §6.3.4: below ErrorRecoveryLevel 2 there is no allegiance to reassign them to); the device's
     * task manager aborts those it was executing and has each logical unit that lost one report it
     * to this I_T nexus (§7.6).
     */
    void terminateTasksOf(TargetConnection conn) {
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
        if (!victims.isEmpty()) {
            List<TaskManager.TerminatedCommand> terminated = new ArrayList<>(victims.size());
            for (TargetTask task : victims) {
                terminated.add(
                        new TaskManager.TerminatedCommand(
                                task.lunField(),
                                Integer.toUnsignedLong(task.itt()),
                                task.delivered()));
            }
            target.device().taskManager().terminatedByProtocolEvent(nexus, terminated);
        }
        for (TargetTask task : victims) {
            task.abort();
            task.release();
        }
        conn.releaseRetained();
        if (!victims.isEmpty()) {
            log.info(
                    "session {}: {} tasks of connection CID {} terminated with it",
                    tsih,
                    victims.size(),
                    conn.cid());
        }
    }

    /**
     * No connection came back within Time2Wait + Time2Retain (RFC 7143 §6.3.5 session timeout): the
     * session ends, and its I_T nexus with it.
     */
    void endAfterTime2Retain() {
        log.warn(
                "session TSIH {} of {}: no connection within Time2Wait + Time2Retain; it ends",
                tsih,
                initiatorName);
        portal.events().logout(initiatorName, tsih, "Time2Retain expired");
        end();
        for (LogicalUnit lu : target.device().logicalUnits()) {
            // the initiator port may come back: it learns of the loss on its first command
            lu.unitAttentions().forgetReportingLoss(nexus);
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
        if (recovery.enabled() && !ended.get()) {
            // §7.1.4.3 at ErrorRecoveryLevel 2: the session and the connection's tasks wait for
            // the initiator to recover them, the others hear of the drop; it leaves on the
            // session's loop, so a recovery logout or TASK REASSIGN there finds it either in the
            // session or waiting for recovery
            onLoop(
                    () -> {
                        if (leave(conn)) {
                            recovery.keep(conn, false, -1);
                            if (conn.droppedByTarget()) {
                                announceDrop(conn);
                            }
                        }
                    });
            return;
        }
        boolean last;
        synchronized (this) {
            if (!leave(conn)) {
                return;
            }
            last = connections.isEmpty();
        }
        if (last) {
            end();
            onLoop(conn::releaseRetained);
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
                    if (stallWatch != null) {
                        stallWatch.cancel(false);
                    }
                    recovery.cancelAll();
                    connections.forEach(
                            c -> {
                                c.leaveSession();
                                c.releaseRetained();
                            });
                    tasks.values()
                            .forEach(
                                    task -> {
                                        task.abort();
                                        task.release();
                                    });
                    tasks.clear();
                });
    }

    /**
     * The server stops: the session ends now, whatever it was waiting for (a connection to
     * recover), and lets go of all it held, then its connections close.
     */
    void endForShutdown() {
        end();
        closeConnection();
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
