package org.iscsilab.iscsi.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.iscsilab.core.fault.FaultRule;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.iscsi.codec.DataDigestError;
import org.iscsilab.iscsi.codec.PduEncoder;
import org.iscsilab.iscsi.login.LoginException;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.LogoutRequest;
import org.iscsilab.iscsi.pdu.NopOut;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.Reject;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.iscsi.pdu.SnackRequest;
import org.iscsilab.iscsi.pdu.TaskManagementRequest;
import org.iscsilab.iscsi.pdu.TaskManagementResponse;
import org.iscsilab.iscsi.pdu.TextRequest;
import org.iscsilab.iscsi.pdu.UnknownPdu;
import org.iscsilab.scsi.LunAddress;
import org.slf4j.Logger;

/**
 * A target session in the full feature phase (RFC 7143 §4): one or more connections
 * (MaxConnections, §13.2), one CmdSN window for all of them (§4.2.2.1), tasks by ITT, each
 * allegiant to the connection its command came on (§7.1.2: its data, R2Ts and status go on that
 * connection). The session holds that state and hands each PDU to the part that answers it: {@link
 * CommandExecution} SCSI commands and Data-Out, {@link TaskManagement}, {@link TextExchange},
 * {@link LogoutExchange}, the connection's {@link NopExchange}, {@link SnackHandler} and {@link
 * DataRecovery} at ErrorRecoveryLevel 1, {@link ConnectionRecovery} at 2; {@link SessionTasks}
 * keeps its tasks and {@link SessionConnections} its connections. All of it runs on the session's
 * event loop, the leading connection's; PDUs of connections on other loops hop there.
 */
public final class TargetSession {
    private static final Logger log = TargetLog.get(TargetSession.class);

    private final TargetPortal portal;
    private final IscsiTarget target;
    private final int tsih;
    private final long isid;
    private final String initiatorName;
    private final SessionParameters params;
    private final int portalGroupTag;
    private final ItNexus nexus;
    private final CommandSequencer sequencer;

    /** The portal of the leading connection, "host:port". */
    private final String portalName;

    private final AtomicBoolean ended = new AtomicBoolean();
    private final EventLoop loop;
    private final String logTag;

    private final SessionTasks tasks;
    private final ConnectionRecovery recovery;
    private final SessionConnections connections;
    private final DataRecovery dataRecovery;
    private final CommandExecution commands;
    private final SnackHandler snacks;
    private final TextExchange text;
    private final LogoutExchange logout;

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
        this.logTag = LogContext.session(tsih);
        this.tasks = new SessionTasks(this);
        this.recovery = new ConnectionRecovery(this);
        this.dataRecovery = new DataRecovery(this, tasks);
        this.connections = new SessionConnections(this, portal, tasks, recovery, dataRecovery);
        this.commands = new CommandExecution(this, portal, tasks, recovery, dataRecovery);
        this.snacks = new SnackHandler(this);
        // SendTargets lists only the targets this initiator may log in to
        this.text =
                new TextExchange(
                        portal,
                        target,
                        t -> t.access().refusal(initiatorName, peer) == null,
                        sequencer);
        this.logout = new LogoutExchange(this, portal, tasks, connections, recovery);
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
        return connections.count();
    }

    public boolean discovery() {
        return target == null;
    }

    boolean ended() {
        return ended.get();
    }

    /** The session's connections now (the leading one first). */
    List<TargetConnection> connections() {
        return connections.list();
    }

    EventLoop loop() {
        return loop;
    }

    IscsiTarget target() {
        return target;
    }

    CommandSequencer sequencer() {
        return sequencer;
    }

    ConnectionRecovery recovery() {
        return recovery;
    }

    /** True for this initiator port and target port (RFC 7143 §6.3.5, §11.12.6). */
    boolean identifiedBy(String initiator, long isid, String targetName, int portalGroupTag) {
        return this.isid == isid
                && this.initiatorName.equals(initiator)
                && Objects.equals(targetName(), targetName)
                && this.portalGroupTag == portalGroupTag;
    }

    // ---- Connections (SessionConnections) ----

    /** See {@link SessionConnections#join}. */
    int join(TargetConnection conn, int loginCmdSn, int loginExpStatSn) throws LoginException {
        return connections.join(conn, loginCmdSn, loginExpStatSn);
    }

    /** See {@link SessionConnections#start}. */
    void start(TargetConnection conn) {
        connections.start(conn);
    }

    /** See {@link SessionConnections#applyFaults}. */
    void applyFaults(FaultRule added) {
        connections.applyFaults(added);
    }

    /** See {@link SessionConnections#connectionClosed}. */
    void connectionClosed(TargetConnection conn) {
        connections.connectionClosed(conn);
    }

    /** See {@link SessionConnections#endIfClosedByPeer}. */
    boolean endIfClosedByPeer() {
        return connections.endIfClosedByPeer();
    }

    /** See {@link SessionConnections#requestLogout}. */
    void requestLogout(int seconds) {
        connections.requestLogout(seconds);
    }

    /** Closes every connection of the session. */
    void closeConnection() {
        connections.closeAll();
    }

    // ---- PDUs from the connections ----

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
                    dataRecovery.onDataDigestError(conn, err);
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
        if (conn.retained() != null) {
            conn.retained().acknowledgedBy(pdu);
        }
        if (pdu instanceof ScsiCommand c) {
            commands.onScsiCommand(conn, c);
        } else if (pdu instanceof DataOut d) {
            commands.onDataOut(conn, d);
        } else if (pdu instanceof NopOut n) {
            conn.nops().onNopOut(n);
        } else if (pdu instanceof TaskManagementRequest t) {
            sequenced(t.immediate(), t.cmdSn(), () -> TaskManagement.handle(this, conn, t));
        } else if (pdu instanceof TextRequest t) {
            sequenced(t.immediate(), t.cmdSn(), () -> text.answer(conn, t));
        } else if (pdu instanceof LogoutRequest l) {
            sequenced(l.immediate(), l.cmdSn(), () -> logout.onLogout(conn, l));
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

    /** A Reject carrying this header, which it releases once sent. */
    void rejectHeader(TargetConnection conn, int reason, ByteBuf header, int dataSnOrR2tSn) {
        conn.sendAndFlush(
                new Reject(
                        reason,
                        conn.nextStatSn(),
                        sequencer.expCmdSn(),
                        sequencer.maxCmdSn(),
                        dataSnOrR2tSn,
                        header));
    }

    // ---- Tasks (on the session's event loop) ----

    TargetTask task(int itt) {
        return tasks.get(itt);
    }

    /**
     * Aborts this session's tasks that match, on its event loop; see {@link SessionTasks#abort}.
     */
    CompletableFuture<Integer> abortTasks(Predicate<TargetTask> which) {
        return tasks.abort(which);
    }

    /** See {@link SessionTasks#terminateAllegiantTo}. */
    void terminateTasksOf(TargetConnection conn) {
        tasks.terminateAllegiantTo(conn);
    }

    /** A task reassigned after its logical unit finished: its answer goes on the new connection. */
    void finishReassigned(TargetTask task, ScsiOutcome outcome) {
        commands.complete(task, outcome);
    }

    // ---- Task management answers (RFC 7143 §11.5, §11.6) ----

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

    void runOnLoop(Runnable r) {
        onLoop(r);
    }

    private void onLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }

    // ---- The end ----

    /**
     * The session ends: it leaves the registry and its target, its I_T nexus is lost (SAM-5
     * §6.3.4), and on its event loop it lets go of its connections, tasks and what waits for
     * recovery. Once only.
     */
    void end() {
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
                    dataRecovery.stop();
                    recovery.cancelAll();
                    connections.leaveAll();
                    tasks.dropAll();
                });
    }

    /** See {@link SessionConnections#endAfterTime2Retain}. */
    void endAfterTime2Retain() {
        connections.endAfterTime2Retain();
    }

    /** Another login replaced this session (RFC 7143 §6.3.5): it ends now. */
    void reinstated() {
        end();
        closeConnection();
    }

    /**
     * TARGET COLD RESET: the session ends at once, before its connections are closed, so no command
     * that arrives in between runs on the old I_T nexus (RFC 7143 §11.5.1).
     */
    void endForColdReset() {
        end();
    }

    /**
     * The server stops: the session ends now, whatever it was waiting for (a connection to
     * recover), and lets go of all it held, then its connections close.
     */
    void endForShutdown() {
        end();
        closeConnection();
    }
}
