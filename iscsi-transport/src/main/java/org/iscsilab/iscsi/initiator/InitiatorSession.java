package org.iscsilab.iscsi.initiator;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.iscsilab.iscsi.codec.DataDigestError;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.pdu.AsyncMessage;
import org.iscsilab.iscsi.pdu.DataIn;
import org.iscsilab.iscsi.pdu.LogoutRequest;
import org.iscsilab.iscsi.pdu.LogoutResponse;
import org.iscsilab.iscsi.pdu.NopIn;
import org.iscsilab.iscsi.pdu.NopOut;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ReadyToTransfer;
import org.iscsilab.iscsi.pdu.Reject;
import org.iscsilab.iscsi.pdu.ScsiResponse;
import org.iscsilab.iscsi.pdu.TaskManagementRequest;
import org.iscsilab.iscsi.pdu.TaskManagementResponse;
import org.iscsilab.iscsi.pdu.TextResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One initiator session (RFC 7143, ErrorRecoveryLevel 0 to 2) on one or more connections: the
 * leading one, then as many more as the configuration asks for and the target's MaxConnections
 * allows ({@code InitiatorConnections}), all sharing one CmdSN window (§4.2.2.1) and each command
 * allegiant to the connection it went out on (§7.1.2). Holds the session's state and public API,
 * and hands what comes from the target to what answers it: {@code ScsiCommandExchange} for SCSI
 * commands, {@code SendTargetsExchange} for text, {@code DigestFailureRecovery} at level 1 and
 * {@code ConnectionRecovery} at level 2; the requests waiting for answers are {@code
 * PendingRequests}. Public methods may be called from any thread; all protocol state lives on the
 * session's event loop, which all its connections share.
 */
public final class InitiatorSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InitiatorSession.class);

    /** Opens one more TCP connection of this session, on the session's event loop. */
    interface Connector {
        void connect(InitiatorConnection connection, EventLoop loop);
    }

    private final InetSocketAddress portal;
    private final InitiatorConfig config;
    private final CompletableFuture<InitiatorSession> loginFuture = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final CommandWindow window = new CommandWindow();
    private final PendingRequests requests = new PendingRequests();
    private final InitiatorConnection leading;
    private final InitiatorConnections connections;
    private final DigestFailureRecovery digestRecovery;
    private final ConnectionRecovery connectionRecovery;
    private final ScsiCommandExchange commands;
    private final SendTargetsExchange sendTargetsExchange;

    private EventLoop loop;
    private SessionParameters params;
    private int tsih;
    private volatile String targetAlias;
    private volatile int portalGroupTag = -1;
    private volatile boolean nopTimedOut;

    InitiatorSession(InetSocketAddress portal, InitiatorConfig config, Connector connector) {
        this.portal = portal;
        this.config = config;
        this.leading = new InitiatorConnection(this, config, 0, 0);
        this.connections = new InitiatorConnections(this, config, connector);
        this.digestRecovery = new DigestFailureRecovery(this, requests, window);
        this.connectionRecovery =
                new ConnectionRecovery(this, connections, requests, window, digestRecovery);
        this.commands =
                new ScsiCommandExchange(
                        connections, requests, window, connectionRecovery, digestRecovery);
        this.sendTargetsExchange = new SendTargetsExchange(connections, requests, window);
    }

    /** The portal the session's connections go to. */
    InetSocketAddress portal() {
        return portal;
    }

    /** The leading connection, for the initiator to connect. */
    InitiatorConnection leadingConnection() {
        return leading;
    }

    CompletableFuture<InitiatorSession> loginFuture() {
        return loginFuture;
    }

    public SessionParameters parameters() {
        return params;
    }

    public int tsih() {
        return tsih;
    }

    public long isid() {
        return config.isid();
    }

    public String targetAlias() {
        return targetAlias;
    }

    public int portalGroupTag() {
        return portalGroupTag;
    }

    public boolean isOpen() {
        return connections.count() > 0;
    }

    /** How many connections the session has in the full feature phase now. */
    public int connectionCount() {
        return connections.count();
    }

    /** Completes when the session's last connection closes, for whatever reason. */
    public CompletableFuture<Void> closeFuture() {
        return closed;
    }

    // ---- public API ----

    /**
     * Runs a SCSI command. {@code dataOut} (may be null) is sent as immediate, unsolicited and
     * R2T-solicited data; {@code expectedDataIn} sizes the read buffer.
     */
    public CompletableFuture<ScsiResult> execute(
            long lunField, byte[] cdb, byte[] dataOut, int expectedDataIn) {
        int edtl = dataOut != null ? dataOut.length : expectedDataIn;
        return executeRaw(
                lunField,
                cdb,
                dataOut,
                edtl,
                dataOut == null && expectedDataIn > 0,
                dataOut != null);
    }

    /** A command in flight: its initiator task tag (known once it is sent) and its result. */
    public record Command(CompletableFuture<Integer> itt, CompletableFuture<ScsiResult> result) {}

    /** Like {@link #execute}, also giving the initiator task tag, so the command can be aborted. */
    public Command submit(long lunField, byte[] cdb, byte[] dataOut, int expectedDataIn) {
        int edtl = dataOut != null ? dataOut.length : expectedDataIn;
        Pending p = new Pending();
        CompletableFuture<ScsiResult> result =
                executeRaw(
                        p,
                        lunField,
                        cdb,
                        dataOut,
                        edtl,
                        dataOut == null && expectedDataIn > 0,
                        dataOut != null);
        return new Command(p.itt, result);
    }

    /**
     * ABORT TASK for a command of this session (RFC 7143 §11.5.1). When the target answers FUNCTION
     * COMPLETE or TASK DOES NOT EXIST, no response will come for the command: its future fails with
     * {@link TaskAbortedException}. Completes with the TMF response code.
     */
    public CompletableFuture<Integer> abortTask(long lunField, int itt) {
        return taskManagement(TaskManagementRequest.ABORT_TASK, lunField, itt)
                .thenApply(
                        response -> {
                            if (response == TaskManagementResponse.FUNCTION_COMPLETE
                                    || response == TaskManagementResponse.TASK_DOES_NOT_EXIST) {
                                onLoop(() -> requests.fail(itt, new TaskAbortedException(itt)));
                            }
                            return response;
                        });
    }

    /** Like {@link #execute} but with an explicit expected data transfer length and R/W bits. */
    public CompletableFuture<ScsiResult> executeRaw(
            long lunField, byte[] cdb, byte[] dataOut, int edtl, boolean read, boolean write) {
        return executeRaw(new Pending(), lunField, cdb, dataOut, edtl, read, write);
    }

    private CompletableFuture<ScsiResult> executeRaw(
            Pending p,
            long lunField,
            byte[] cdb,
            byte[] dataOut,
            int edtl,
            boolean read,
            boolean write) {
        onLoop(() -> commands.submit(p, lunField, cdb, dataOut, edtl, read, write));
        return p.future
                .orTimeout(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(ScsiResult.class::cast)
                .whenComplete(
                        (r, e) -> {
                            if (e != null) {
                                onLoop(() -> requests.forget(p));
                            }
                        });
    }

    /** SendTargets (RFC 7143 §13.3): "All", a target name, or "" for this session's target. */
    public CompletableFuture<List<DiscoveredTarget>> sendTargets(String which) {
        Pending p = new Pending();
        onLoop(() -> sendTargetsExchange.send(p, which));
        return p.future
                .orTimeout(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(o -> DiscoveredTarget.parseSendTargets((byte[]) o));
    }

    /**
     * NOP-Out ping that expects a NOP-In echo (RFC 7143 §11.18); completes with the echoed bytes.
     */
    public CompletableFuture<byte[]> nop(byte[] pingData) {
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        onLoop(
                () -> {
                    InitiatorConnection conn = connections.pick();
                    if (conn == null) {
                        answer.completeExceptionally(
                                new IscsiInitiatorException("connection closed"));
                    } else {
                        ping(conn, Unpooled.wrappedBuffer(pingData), answer);
                    }
                });
        return answer.orTimeout(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A task management function (RFC 7143 §11.5); completes with the response code. */
    public CompletableFuture<Integer> taskManagement(
            int function, long lunField, int referencedTaskTag) {
        Pending p = new Pending();
        onLoop(
                () -> {
                    Pending referenced = requests.get(referencedTaskTag);
                    // an ABORT TASK names the command's CmdSN (§11.5.5); it goes on any connection
                    int refCmdSn =
                            referenced != null && referenced.command != null
                                    ? referenced.command.cmdSn()
                                    : window.cmdSn();
                    sendTaskManagement(p, function, lunField, referencedTaskTag, refCmdSn);
                });
        return p.future
                .orTimeout(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(o -> (Integer) o);
    }

    private void sendTaskManagement(
            Pending p, int function, long lunField, int referencedTaskTag, int refCmdSn) {
        InitiatorConnection conn = connections.pick();
        if (conn == null) {
            p.future.completeExceptionally(new IscsiInitiatorException("connection closed"));
            return;
        }
        int itt = requests.add(conn, p);
        conn.writeAndFlush(
                TaskManagementRequest.of(
                        function,
                        lunField,
                        itt,
                        referencedTaskTag,
                        window.cmdSn(),
                        conn.expStatSn(),
                        refCmdSn));
    }

    /** Logout, reason "close the session" (RFC 7143 §11.14); completes when the target answered. */
    public CompletableFuture<Integer> logout() {
        connectionRecovery.stop();
        Pending p = new Pending();
        onLoop(
                () -> {
                    InitiatorConnection conn = connections.pick();
                    if (conn == null) {
                        p.future.completeExceptionally(
                                new IscsiInitiatorException("connection already closed"));
                        return;
                    }
                    int itt = requests.add(conn, p);
                    conn.writeAndFlush(
                            new LogoutRequest(
                                    true,
                                    LogoutRequest.CLOSE_SESSION,
                                    itt,
                                    conn.cid(),
                                    window.cmdSn(),
                                    conn.expStatSn()));
                });
        return p.future
                .orTimeout(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(o -> (Integer) o)
                .whenComplete((r, e) -> onLoop(connections::closeAll));
    }

    @Override
    public void close() {
        for (InitiatorConnection c : connectionsNow()) {
            if (c.channel() != null) {
                c.channel().close().syncUninterruptibly();
            }
        }
    }

    /**
     * Whether a connection of this session was dropped because a NOP-Out went unanswered
     * (open-iscsi's ISCSI_ERR_NOP_TIMEDOUT).
     */
    public boolean nopTimedOut() {
        return nopTimedOut || leading.nopTimedOut();
    }

    // ---- from the session's connections (event loop only) ----

    /**
     * A connection's login is complete. The leading one gives the session its parameters, then the
     * further connections are opened and the session's login completes once they are in. Returns
     * the connection's parameters.
     */
    SessionParameters loggedIn(InitiatorConnection conn, int sessionTsih) {
        if (conn != leading) {
            SessionParameters cp = params.withConnectionKeys(conn.login().parameters());
            connections.add(conn);
            onLoop(connectionRecovery::sendParked);
            return cp;
        }
        loop = conn.channel().eventLoop();
        tsih = sessionTsih;
        params = conn.login().parameters();
        targetAlias = conn.login().targetAlias();
        portalGroupTag = conn.login().portalGroupTag();
        connections.add(conn);
        if (params.errorRecoveryLevel() >= 1) {
            digestRecovery.start(loop);
        }
        connections.openMore().thenRun(() -> loginFuture.complete(this));
        return params;
    }

    /**
     * A connection closed. Its requests get no answer: at ErrorRecoveryLevel 2 its commands wait
     * for its recovery; below, they fail, and the CmdSNs of its commands that may never have
     * reached the target are settled with ABORT TASK on another connection (RFC 7143 §11.5.1 b: the
     * target counts a missing command's CmdSN as received), so the session's window moves on. The
     * session closes with its last connection.
     */
    void connectionClosed(InitiatorConnection conn) {
        nopTimedOut |= conn.nopTimedOut();
        boolean wasMember = connections.remove(conn);
        List<Pending> orphans = requests.unansweredOn(conn);
        if (wasMember && connectionRecovery.enabled()) {
            connectionRecovery.recover(conn, orphans);
            return;
        }
        IscsiInitiatorException lost = new IscsiInitiatorException("connection closed");
        for (Pending p : orphans) {
            requests.fail(p, lost);
        }
        if (connections.isEmpty() && !connectionRecovery.underway()) {
            endSession(lost);
        } else if (wasMember) {
            log.warn(
                    "session TSIH {}: connection CID {} closed, {} left; {} commands on it failed",
                    tsih,
                    conn.cid(),
                    connections.size(),
                    orphans.size());
            for (Pending p : orphans) {
                if (p.command != null && !p.command.immediate()) {
                    sendTaskManagement(
                            new Pending(),
                            TaskManagementRequest.ABORT_TASK,
                            p.command.lun(),
                            p.command.initiatorTaskTag(),
                            p.command.cmdSn());
                }
            }
        }
    }

    /** The session is over: what still waits to go out fails with {@code why}. */
    void endSession(Throwable why) {
        digestRecovery.stop();
        commands.failWaiting(why);
        connectionRecovery.failParked(why);
        loginFuture.completeExceptionally(why);
        closed.complete(null);
    }

    /** A gap in a connection's StatSN (§11.16.1 Status SNACK). */
    void askForStatus(InitiatorConnection conn, int from, int count) {
        digestRecovery.askForStatus(conn, from, count);
    }

    /** A PDU whose data digest failed, at ErrorRecoveryLevel 1 and above (§7.8). */
    void onDataDigestError(InitiatorConnection conn, DataDigestError err) {
        digestRecovery.onDataDigestError(conn, err);
    }

    // ---- internals (event loop only) ----

    /** The CmdSN the next request gets (immediate ones carry it without taking it). */
    int nextCmdSn() {
        return window.cmdSn();
    }

    void updateWindow(int newExpCmdSn, int newMaxCmdSn) {
        window.update(newExpCmdSn, newMaxCmdSn);
    }

    /** The event loop all the session's connections share; null before the leading login. */
    EventLoop loop() {
        return loop;
    }

    /** Runs {@code r} on the session's event loop: at once when called there. */
    void onLoop(Runnable r) {
        EventLoop l = loop != null ? loop : leadingLoop();
        if (l.inEventLoop()) {
            r.run();
        } else {
            l.execute(r);
        }
    }

    private EventLoop leadingLoop() {
        if (leading.channel() == null) {
            throw new IllegalStateException("not connected");
        }
        return leading.channel().eventLoop();
    }

    /** The connections now, from any thread. */
    private List<InitiatorConnection> connectionsNow() {
        CompletableFuture<List<InitiatorConnection>> now = new CompletableFuture<>();
        if (loop == null) {
            return List.of(leading);
        }
        onLoop(() -> now.complete(connections.snapshot()));
        return now.join();
    }

    /**
     * A NOP-Out with a valid ITT on {@code conn}, which the target answers with a NOP-In echoing
     * {@code data} (RFC 7143 §11.18). Returns the ITT.
     */
    int ping(InitiatorConnection conn, ByteBuf data, CompletableFuture<byte[]> answer) {
        Pending p = new Pending();
        p.future.whenComplete(
                (r, e) -> {
                    if (e != null) {
                        answer.completeExceptionally(e);
                    } else {
                        answer.complete((byte[]) r);
                    }
                });
        int itt = requests.add(conn, p);
        conn.writeAndFlush(
                new NopOut(true, 0, itt, Pdu.RESERVED_TAG, window.cmdSn(), conn.expStatSn(), data));
        return itt;
    }

    // ---- dispatch ----

    /** A full-feature PDU from one of the session's connections. */
    void onPdu(InitiatorConnection conn, Pdu pdu) {
        if (pdu instanceof DataIn d) {
            updateWindow(d.expCmdSn(), d.maxCmdSn());
            commands.onDataIn(conn, d);
        } else if (pdu instanceof ScsiResponse r) {
            updateWindow(r.expCmdSn(), r.maxCmdSn());
            commands.onResponse(conn, r);
        } else if (pdu instanceof ReadyToTransfer r2t) {
            updateWindow(r2t.expCmdSn(), r2t.maxCmdSn());
            commands.onReadyToTransfer(conn, r2t);
        } else if (pdu instanceof NopIn n) {
            updateWindow(n.expCmdSn(), n.maxCmdSn());
            if (n.initiatorTaskTag() != Pdu.RESERVED_TAG) {
                conn.statusReceived(n.statSn());
                requests.complete(n.initiatorTaskTag(), ByteBufUtil.getBytes(n.data()));
            } else if (n.targetTransferTag() != Pdu.RESERVED_TAG) {
                // answer the target's ping (RFC 7143 §11.19)
                conn.writeAndFlush(
                        new NopOut(
                                true,
                                n.lun(),
                                Pdu.RESERVED_TAG,
                                n.targetTransferTag(),
                                window.cmdSn(),
                                conn.expStatSn(),
                                Unpooled.EMPTY_BUFFER));
            }
            n.release();
        } else if (pdu instanceof TextResponse t) {
            conn.statusReceived(t.statSn());
            updateWindow(t.expCmdSn(), t.maxCmdSn());
            sendTargetsExchange.onResponse(conn, t);
        } else if (pdu instanceof TaskManagementResponse t) {
            conn.statusReceived(t.statSn());
            updateWindow(t.expCmdSn(), t.maxCmdSn());
            requests.complete(t.initiatorTaskTag(), t.response());
        } else if (pdu instanceof LogoutResponse l) {
            conn.statusReceived(l.statSn());
            requests.complete(l.initiatorTaskTag(), l.response());
        } else if (pdu instanceof Reject r) {
            conn.statusReceived(r.statSn());
            updateWindow(r.expCmdSn(), r.maxCmdSn());
            onReject(conn, r);
        } else if (pdu instanceof AsyncMessage a) {
            a.release();
            conn.statusReceived(a.statSn());
            if (a.asyncEvent() == AsyncMessage.LOGOUT_REQUESTED) {
                log.info("target requests logout");
                logout();
            } else if (a.asyncEvent() == AsyncMessage.CONNECTION_DROP) {
                log.info(
                        "session TSIH {}: the target dropped connection CID {}",
                        tsih,
                        a.parameter1());
            }
        } else {
            log.warn("unexpected {} from the target", pdu.opcode());
            pdu.release();
        }
    }

    /**
     * A Reject (RFC 7143 §11.17): the request it names fails, unless from level 1 it is recovered
     * from ({@code DigestFailureRecovery.recoversFrom}).
     */
    private void onReject(InitiatorConnection conn, Reject r) {
        int itt = r.rejectedTaskTag();
        int opcode = r.rejectedOpcode();
        log.warn(
                "target rejected a PDU (opcode 0x{}): reason 0x{} (ITT 0x{})",
                Integer.toHexString(opcode),
                Integer.toHexString(r.reason()),
                Integer.toHexString(itt));
        r.release();
        if (conn.params().errorRecoveryLevel() >= 1
                && digestRecovery.recoversFrom(r.reason(), opcode, itt)) {
            return;
        }
        requests.fail(
                itt,
                new IscsiInitiatorException(
                        "target sent Reject, reason 0x" + Integer.toHexString(r.reason())));
    }
}
