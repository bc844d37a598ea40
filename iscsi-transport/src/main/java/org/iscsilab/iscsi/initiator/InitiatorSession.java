package org.iscsilab.iscsi.initiator;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.iscsilab.iscsi.codec.DataDigestError;
import org.iscsilab.iscsi.login.Keys;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.login.TextParameters;
import org.iscsilab.iscsi.pdu.AsyncMessage;
import org.iscsilab.iscsi.pdu.Bhs;
import org.iscsilab.iscsi.pdu.DataIn;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.LogoutRequest;
import org.iscsilab.iscsi.pdu.LogoutResponse;
import org.iscsilab.iscsi.pdu.NopIn;
import org.iscsilab.iscsi.pdu.NopOut;
import org.iscsilab.iscsi.pdu.Opcode;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ReadyToTransfer;
import org.iscsilab.iscsi.pdu.Reject;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.iscsi.pdu.ScsiResponse;
import org.iscsilab.iscsi.pdu.SerialNumbers;
import org.iscsilab.iscsi.pdu.SnackRequest;
import org.iscsilab.iscsi.pdu.TaskManagementRequest;
import org.iscsilab.iscsi.pdu.TaskManagementResponse;
import org.iscsilab.iscsi.pdu.TextRequest;
import org.iscsilab.iscsi.pdu.TextResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One initiator session (RFC 7143, ErrorRecoveryLevel 0 to 2) on one or more connections: the
 * leading one, then as many more as the configuration asks for and the target's MaxConnections
 * allows, all sharing one CmdSN window (§4.2.2.1) and each command allegiant to the connection it
 * went out on (§7.1.2). Public methods may be called from any thread; all protocol state lives on
 * the session's event loop, which all its connections share.
 */
public final class InitiatorSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InitiatorSession.class);

    /** Opens one more TCP connection of this session, on the session's event loop. */
    interface Connector {
        void connect(InitiatorConnection connection, EventLoop loop);
    }

    private final InetSocketAddress portal;
    private final InitiatorConfig config;
    private final Connector connector;
    private final CompletableFuture<InitiatorSession> loginFuture = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final CommandWindow window = new CommandWindow();
    private final InitiatorConnection leading;

    /** The connections in the full feature phase, in login order. */
    private final List<InitiatorConnection> connections = new ArrayList<>();

    private EventLoop loop;
    private SessionParameters params;
    private int tsih;
    private int nextItt = 1;
    private int nextCid = 1;
    private int roundRobin;
    private final Map<Integer, Pending> pending = new HashMap<>();
    private final ByteArrayOutputStream textResponse = new ByteArrayOutputStream();
    private volatile String targetAlias;
    private volatile int portalGroupTag = -1;
    private volatile int connectionCount;
    private volatile boolean nopTimedOut;

    /** A request waiting for its answer. */
    private static final class Pending {
        final CompletableFuture<Object> future = new CompletableFuture<>();

        /** The command's initiator task tag, once it was sent (for ABORT TASK). */
        final CompletableFuture<Integer> itt = new CompletableFuture<>();

        /** The connection the request went out on: its answers come on it. */
        InitiatorConnection conn;

        ScsiCommand command;
        ByteBuf dataOut;
        byte[] dataIn;
        int dataInLength;
        int expectedDataSn;

        /** The immediate data the command carried, to send it again with it (§7.2.1). */
        int immediateLength;

        /** At ErrorRecoveryLevel 1 and above: which Data-In arrived. */
        DataInProgress dataInSeen;

        /** A status that arrived before all the Data-In did, and its StatSN, held (§11.7.2). */
        ScsiResult heldResult;

        int heldStatSn;

        /** When a PDU of this command last came or went (for the quiet-command check). */
        long lastActivityNanos;
    }

    InitiatorSession(InetSocketAddress portal, InitiatorConfig config, Connector connector) {
        this.portal = portal;
        this.config = config;
        this.connector = connector;
        this.leading = new InitiatorConnection(this, config, 0, 0);
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
        return connectionCount > 0;
    }

    /** How many connections the session has in the full feature phase now. */
    public int connectionCount() {
        return connectionCount;
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
                                onLoop(() -> fail(itt, new TaskAbortedException(itt)));
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
        onLoop(
                () -> {
                    if (!anyActive() && recovering == 0 && !recoversConnections()) {
                        // the connections are gone (their pending commands were failed already):
                        // a command submitted now fails at once, for the caller to retry elsewhere
                        fail(p, new IscsiInitiatorException("connection closed"));
                        return;
                    }
                    int itt = nextItt();
                    p.dataOut = dataOut == null ? null : Unpooled.wrappedBuffer(dataOut);
                    p.dataIn = read ? new byte[edtl] : new byte[0];
                    // the connection is chosen when the window lets the command go, so a command
                    // never takes a CmdSN on a connection that closed while it waited
                    waiting.add(p);
                    window.enqueue(
                            sn -> {
                                waiting.remove(p);
                                send(p, itt, sn, lunField, cdb, edtl, read, write);
                            });
                });
        return p.future
                .orTimeout(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(ScsiResult.class::cast)
                .whenComplete(
                        (r, e) -> {
                            if (e != null) {
                                onLoop(() -> forget(p));
                            }
                        });
    }

    /**
     * Sends a SCSI command with its immediate and unsolicited data (RFC 7143 §11.3, §13.10, §13.11)
     * on the next live connection, which it is then allegiant to.
     */
    private void send(
            Pending p,
            int itt,
            int cmdSn,
            long lunField,
            byte[] cdb,
            int edtl,
            boolean read,
            boolean write) {
        InitiatorConnection conn = pick();
        if (conn == null && (recovering > 0 || recoversConnections() && !connections.isEmpty())) {
            // a connection is being recovered: the command keeps its CmdSN and goes after
            parked.add(new Parked(p, () -> send(p, itt, cmdSn, lunField, cdb, edtl, read, write)));
            return;
        }
        if (conn == null) {
            fail(p, new IscsiInitiatorException("connection closed"));
            return;
        }
        if (p.future.isDone()) {
            // given up while it waited for the window (a timeout): its CmdSN still goes out, in a
            // NOP-Out, so the target's window does not wait for it forever (RFC 7143 §4.2.2.1)
            conn.writeAndFlush(
                    new NopOut(
                            false,
                            0,
                            itt,
                            Pdu.RESERVED_TAG,
                            cmdSn,
                            conn.expStatSn(),
                            Unpooled.EMPTY_BUFFER));
            return;
        }
        SessionParameters cp = conn.params();
        ByteBuf out = p.dataOut;
        int immediate = 0;
        if (write && out != null && cp.immediateData()) {
            immediate =
                    Math.min(
                            Math.min(cp.firstBurstLength(), cp.peerMaxRecvDataSegmentLength()),
                            Math.min(edtl, out.readableBytes()));
        }
        int unsolicitedEnd =
                !write || out == null
                        ? 0
                        : cp.initialR2T()
                                ? immediate
                                : Math.min(
                                        cp.firstBurstLength(), Math.min(edtl, out.readableBytes()));
        boolean moreUnsolicited = unsolicitedEnd > immediate;
        ByteBuf imm = immediate == 0 ? Unpooled.EMPTY_BUFFER : out.retainedSlice(0, immediate);
        ScsiCommand cmd =
                ScsiCommand.simple(
                        lunField,
                        itt,
                        cdb,
                        edtl,
                        read,
                        write,
                        moreUnsolicited,
                        cmdSn,
                        conn.expStatSn(),
                        imm);
        p.conn = conn;
        p.command = cmd;
        p.immediateLength = immediate;
        p.lastActivityNanos = System.nanoTime();
        if (read && cp.errorRecoveryLevel() >= 1) {
            p.dataInSeen = new DataInProgress();
        }
        pending.put(itt, p);
        p.itt.complete(itt);
        conn.write(cmd);
        if (moreUnsolicited) {
            sendData(p, Pdu.RESERVED_TAG, immediate, unsolicitedEnd - immediate);
        }
        conn.flush();
    }

    /** SendTargets (RFC 7143 §13.3): "All", a target name, or "" for this session's target. */
    public CompletableFuture<List<DiscoveredTarget>> sendTargets(String which) {
        Pending p = new Pending();
        onLoop(
                () -> {
                    InitiatorConnection conn = pick();
                    if (conn == null) {
                        p.future.completeExceptionally(
                                new IscsiInitiatorException("connection closed"));
                        return;
                    }
                    int itt = nextItt();
                    p.conn = conn;
                    pending.put(itt, p);
                    textResponse.reset();
                    ByteBuf text =
                            Unpooled.wrappedBuffer(
                                    TextParameters.encode(
                                            List.of(Map.entry(Keys.SEND_TARGETS, which))));
                    window.enqueue(
                            sn ->
                                    conn.writeAndFlush(
                                            TextRequest.single(itt, sn, conn.expStatSn(), text)));
                });
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
                    InitiatorConnection conn = pick();
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
                    Pending referenced = pending.get(referencedTaskTag);
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
        InitiatorConnection conn = pick();
        if (conn == null) {
            p.future.completeExceptionally(new IscsiInitiatorException("connection closed"));
            return;
        }
        int itt = nextItt();
        p.conn = conn;
        pending.put(itt, p);
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
        loggingOut = true;
        Pending p = new Pending();
        onLoop(
                () -> {
                    InitiatorConnection conn = pick();
                    if (conn == null) {
                        p.future.completeExceptionally(
                                new IscsiInitiatorException("connection already closed"));
                        return;
                    }
                    int itt = nextItt();
                    p.conn = conn;
                    pending.put(itt, p);
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
                .whenComplete((r, e) -> closeConnections());
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

    // ---- connections ----

    /**
     * The leading login is complete: the session takes its parameters and opens the further
     * connections the configuration asks for, up to the negotiated MaxConnections; the login
     * completes once they are in. Returns the connection's parameters.
     */
    SessionParameters loggedIn(InitiatorConnection conn, int sessionTsih) {
        SessionParameters cp;
        if (conn == leading) {
            loop = conn.channel().eventLoop();
            tsih = sessionTsih;
            params = conn.login().parameters();
            targetAlias = conn.login().targetAlias();
            portalGroupTag = conn.login().portalGroupTag();
            cp = params;
        } else {
            cp = params.withConnectionKeys(conn.login().parameters());
        }
        connections.add(conn);
        connectionCount = connections.size();
        if (conn != leading) {
            onLoop(this::sendParked);
        }
        if (conn == leading) {
            if (params.errorRecoveryLevel() >= 1) {
                retryWatch =
                        loop.scheduleAtFixedRate(
                                this::retryQuietCommands, 500, 500, TimeUnit.MILLISECONDS);
            }
            openMoreConnections();
        }
        return cp;
    }

    private void openMoreConnections() {
        int wanted = Math.min(config.sessionKeys().maxConnections(), params.maxConnections());
        List<CompletableFuture<InitiatorConnection>> joins = new ArrayList<>();
        for (int i = 1; i < wanted; i++) {
            InitiatorConnection c = new InitiatorConnection(this, config, nextCid++, tsih);
            joins.add(c.loginFuture());
            connector.connect(c, loop);
        }
        CompletableFuture.allOf(
                        joins.stream()
                                .map(f -> f.handle((c, e) -> e == null ? c : null))
                                .toArray(CompletableFuture<?>[]::new))
                .whenComplete(
                        (v, e) -> {
                            long refused =
                                    joins.stream()
                                            .filter(CompletableFuture::isCompletedExceptionally)
                                            .count();
                            if (refused > 0) {
                                log.warn(
                                        "session TSIH {}: {} of {} further connections could not"
                                                + " log in",
                                        tsih,
                                        refused,
                                        joins.size());
                            }
                            loginFuture.complete(this);
                        });
    }

    /** The next connection a request goes out on: round robin over the live ones. */
    private InitiatorConnection pick() {
        int n = connections.size();
        for (int i = 0; i < n; i++) {
            InitiatorConnection c = connections.get(Math.floorMod(roundRobin++, n));
            if (c.active()) {
                return c;
            }
        }
        return null;
    }

    private boolean anyActive() {
        for (InitiatorConnection c : connections) {
            if (c.active()) {
                return true;
            }
        }
        return false;
    }

    private List<InitiatorConnection> connectionsNow() {
        CompletableFuture<List<InitiatorConnection>> now = new CompletableFuture<>();
        if (loop == null) {
            return List.of(leading);
        }
        onLoop(() -> now.complete(List.copyOf(connections)));
        return now.join();
    }

    private void closeConnections() {
        onLoop(() -> List.copyOf(connections).forEach(InitiatorConnection::close));
    }

    /**
     * A connection closed. Its requests get no answer (below ErrorRecoveryLevel 2 nothing resumes
     * them): they fail, and the CmdSNs of its commands that may never have reached the target are
     * settled with ABORT TASK on another connection (RFC 7143 §11.5.1 b: the target counts a
     * missing command's CmdSN as received), so the session's window moves on. The session closes
     * with its last connection.
     */
    void connectionClosed(InitiatorConnection conn) {
        nopTimedOut |= conn.nopTimedOut();
        boolean wasMember = connections.remove(conn);
        connectionCount = connections.size();
        IscsiInitiatorException lost = new IscsiInitiatorException("connection closed");
        List<Pending> orphans = new ArrayList<>();
        for (Pending p : List.copyOf(pending.values())) {
            if (p.conn == conn && !p.future.isDone()) {
                orphans.add(p);
            }
        }
        if (wasMember && recoversConnections()) {
            // ErrorRecoveryLevel 2: the commands wait for the connection's recovery
            List<Pending> commands = new ArrayList<>();
            for (Pending p : orphans) {
                if (p.command != null) {
                    commands.add(p);
                } else {
                    fail(p, lost);
                }
            }
            recoverConnection(conn.cid(), conn.expStatSn(), commands);
            return;
        }
        for (Pending p : orphans) {
            fail(p, lost);
        }
        if (connections.isEmpty() && recovering == 0) {
            endSession(lost);
            return;
        }
        if (wasMember) {
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

    private void endSession(Throwable why) {
        if (retryWatch != null) {
            retryWatch.cancel(false);
        }
        // commands still waiting for the window will never get a CmdSN on this session
        for (Pending p : List.copyOf(waiting)) {
            fail(p, why);
        }
        for (Parked c : parked) {
            fail(c.pending(), why);
        }
        parked.clear();
        loginFuture.completeExceptionally(why);
        closed.complete(null);
    }

    // ---- connection recovery (ErrorRecoveryLevel 2, RFC 7143 §7.1.4.3, §7.2.2) ----

    /** Commands waiting for the window to let them have a CmdSN. */
    private final Set<Pending> waiting = new HashSet<>();

    /** A command that got its CmdSN while no connection could carry it; sent when one can. */
    private record Parked(Pending pending, Runnable send) {}

    private final List<Parked> parked = new ArrayList<>();

    /** Connections being recovered now. */
    private int recovering;

    /** The initiator logs the session out: a connection that closes now is not recovered. */
    private volatile boolean loggingOut;

    private boolean recoversConnections() {
        return !loggingOut
                && params != null
                && params.errorRecoveryLevel() == 2
                && params.defaultTime2Retain() > 0
                && !closed.isDone();
    }

    /**
     * After DefaultTime2Wait (§13.15), the failed connection is logged out for recovery on another
     * connection (Logout reason 2, §11.14.1), or, with none left, replaced by a new one with its
     * CID (an implicit logout, §6.3.4); then each of its commands is reassigned there with TASK
     * REASSIGN (§11.5.1).
     */
    private void recoverConnection(int cid, int expStatSn, List<Pending> commands) {
        recovering++;
        log.warn(
                "session TSIH {}: connection CID {} failed with {} commands; recovering it in {} s",
                tsih,
                cid,
                commands.size(),
                params.defaultTime2Wait());
        loop.schedule(
                () -> {
                    InitiatorConnection via = pick();
                    CompletableFuture<InitiatorConnection> ready =
                            via != null
                                    ? logoutForRecovery(via, cid, expStatSn)
                                    : reconnect(cid, expStatSn);
                    ready.whenComplete(
                            (c, e) ->
                                    onLoop(
                                            () -> {
                                                recovering--;
                                                if (e != null) {
                                                    giveUp(cid, commands, e);
                                                } else {
                                                    commands.forEach(p -> reassign(c, p));
                                                    sendParked();
                                                }
                                            }));
                },
                params.defaultTime2Wait(),
                TimeUnit.SECONDS);
    }

    /**
     * Logout reason 2 for {@code cid} on {@code via}; its ExpStatSN is the failed connection's
     * (§11.14.1), so the target keeps what it sent there that did not arrive.
     */
    private CompletableFuture<InitiatorConnection> logoutForRecovery(
            InitiatorConnection via, int cid, int expStatSn) {
        Pending p = new Pending();
        int itt = nextItt();
        p.conn = via;
        pending.put(itt, p);
        via.writeAndFlush(
                new LogoutRequest(
                        true,
                        LogoutRequest.REMOVE_CONNECTION_FOR_RECOVERY,
                        itt,
                        cid,
                        window.cmdSn(),
                        expStatSn));
        return p.future.thenCompose(
                response ->
                        (Integer) response == LogoutResponse.CLOSED_SUCCESSFULLY
                                ? CompletableFuture.completedFuture(via)
                                : CompletableFuture.failedFuture(
                                        new IscsiInitiatorException(
                                                "recovery logout of CID "
                                                        + cid
                                                        + " refused: response "
                                                        + response)));
    }

    /** A new connection with the failed one's CID, its login acknowledging what that one got. */
    private CompletableFuture<InitiatorConnection> reconnect(int cid, int expStatSn) {
        InitiatorConnection c = new InitiatorConnection(this, config, cid, tsih, expStatSn);
        connector.connect(c, loop);
        return c.loginFuture();
    }

    private void giveUp(int cid, List<Pending> commands, Throwable why) {
        log.warn("session TSIH {}: connection CID {} not recovered: {}", tsih, cid, why.toString());
        IscsiInitiatorException lost =
                new IscsiInitiatorException("connection CID " + cid + " not recovered", why);
        commands.forEach(p -> fail(p, lost));
        if (connections.isEmpty() && recovering == 0) {
            endSession(lost);
        }
    }

    /**
     * TASK REASSIGN for one command on {@code via} (§7.2.2); ExpDataSN names the first Data-In not
     * received. Done: the command is allegiant to {@code via} and the target finishes it there.
     * "Task does not exist": it never arrived, so it is sent again on {@code via} (§7.2.1).
     */
    private void reassign(InitiatorConnection via, Pending p) {
        if (p.future.isDone()) {
            return;
        }
        int expDataSn = p.dataInSeen == null ? 0 : p.dataInSeen.contiguous();
        Pending tmf = new Pending();
        int itt = nextItt();
        tmf.conn = via;
        pending.put(itt, tmf);
        // the new allegiance holds once the response is sent (§11.6): it is set before the
        // target's R2Ts or Data-In that follow the response on the same connection are read
        tmf.future.whenComplete(
                (r, e) -> {
                    int response = e == null ? (Integer) r : -1;
                    if (response == TaskManagementResponse.FUNCTION_COMPLETE) {
                        p.conn = via;
                        p.lastActivityNanos = System.nanoTime();
                        p.heldResult = null;
                    } else if (response == TaskManagementResponse.TASK_DOES_NOT_EXIST) {
                        p.conn = via;
                        p.lastActivityNanos = System.nanoTime();
                        resend(p);
                    } else {
                        fail(
                                p,
                                new IscsiInitiatorException(
                                        "TASK REASSIGN of ITT 0x"
                                                + Integer.toHexString(p.command.initiatorTaskTag())
                                                + " answered "
                                                + response));
                    }
                });
        via.writeAndFlush(
                TaskManagementRequest.taskReassign(
                        p.command.lun(),
                        itt,
                        p.command.initiatorTaskTag(),
                        window.cmdSn(),
                        via.expStatSn(),
                        expDataSn));
    }

    private void sendParked() {
        if (pick() == null) {
            return;
        }
        List<Parked> ready = List.copyOf(parked);
        parked.clear();
        ready.forEach(c -> c.send().run());
    }

    // ---- internals (event loop only) ----

    /** The CmdSN the next request gets (immediate ones carry it without taking it). */
    int nextCmdSn() {
        return window.cmdSn();
    }

    private void onLoop(Runnable r) {
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

    private int nextItt() {
        int itt = nextItt++;
        if (nextItt == Pdu.RESERVED_TAG) {
            nextItt = 1;
        }
        return itt;
    }

    void updateWindow(int newExpCmdSn, int newMaxCmdSn) {
        window.update(newExpCmdSn, newMaxCmdSn);
    }

    private void sendData(Pending p, int ttt, int offset, int length) {
        InitiatorConnection conn = p.conn;
        int dataSn = 0;
        int end = offset + length;
        int max = conn.params().peerMaxRecvDataSegmentLength();
        for (int off = offset; off < end; off += max) {
            int n = Math.min(max, end - off);
            int available = Math.max(0, Math.min(n, p.dataOut.readableBytes() - off));
            ByteBuf slice =
                    available == 0
                            ? Unpooled.EMPTY_BUFFER
                            : p.dataOut.retainedSlice(off, available);
            conn.write(
                    new DataOut(
                            off + n >= end,
                            p.command.lun(),
                            p.command.initiatorTaskTag(),
                            ttt,
                            conn.expStatSn(),
                            dataSn++,
                            off,
                            slice));
        }
    }

    private void forget(Pending p) {
        pending.values().removeIf(x -> x == p);
        if (p.dataOut != null && p.dataOut.refCnt() > 0) {
            p.dataOut.release();
        }
    }

    private void complete(int itt, Object value) {
        Pending p = pending.remove(itt);
        if (p == null) {
            return;
        }
        if (p.dataOut != null && p.dataOut.refCnt() > 0) {
            p.dataOut.release();
        }
        p.future.complete(value);
    }

    private void fail(int itt, Throwable t) {
        Pending p = pending.get(itt);
        if (p != null) {
            fail(p, t);
        }
    }

    private void fail(Pending p, Throwable t) {
        forget(p);
        p.future.completeExceptionally(t);
        p.itt.completeExceptionally(t);
    }

    /**
     * A NOP-Out with a valid ITT on {@code conn}, which the target answers with a NOP-In echoing
     * {@code data} (RFC 7143 §11.18). Returns the ITT.
     */
    int ping(InitiatorConnection conn, ByteBuf data, CompletableFuture<byte[]> answer) {
        Pending p = new Pending();
        p.conn = conn;
        p.future.whenComplete(
                (r, e) -> {
                    if (e != null) {
                        answer.completeExceptionally(e);
                    } else {
                        answer.complete((byte[]) r);
                    }
                });
        int itt = nextItt();
        pending.put(itt, p);
        conn.writeAndFlush(
                new NopOut(true, 0, itt, Pdu.RESERVED_TAG, window.cmdSn(), conn.expStatSn(), data));
        return itt;
    }

    /** A full-feature PDU from one of the session's connections. */
    void onPdu(InitiatorConnection conn, Pdu pdu) {
        if (pdu instanceof DataIn d) {
            onDataIn(conn, d);
        } else if (pdu instanceof ScsiResponse r) {
            onResponse(conn, r);
        } else if (pdu instanceof ReadyToTransfer r2t) {
            updateWindow(r2t.expCmdSn(), r2t.maxCmdSn());
            Pending p = pending.get(r2t.initiatorTaskTag());
            if (p != null && p.dataOut != null && p.conn == conn) {
                p.lastActivityNanos = System.nanoTime();
                sendData(
                        p,
                        r2t.targetTransferTag(),
                        r2t.bufferOffset(),
                        r2t.desiredDataTransferLength());
                conn.flush();
            }
        } else if (pdu instanceof NopIn n) {
            updateWindow(n.expCmdSn(), n.maxCmdSn());
            if (n.initiatorTaskTag() != Pdu.RESERVED_TAG) {
                conn.statusReceived(n.statSn());
                complete(n.initiatorTaskTag(), ByteBufUtil.getBytes(n.data()));
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
            textResponse.writeBytes(ByteBufUtil.getBytes(t.data()));
            t.release();
            if (t.continueFlag() && !t.finalFlag()) {
                int itt = t.initiatorTaskTag();
                int ttt = t.targetTransferTag();
                window.enqueue(
                        sn ->
                                conn.writeAndFlush(
                                        TextRequest.askingForMore(itt, ttt, sn, conn.expStatSn())));
            } else {
                complete(t.initiatorTaskTag(), textResponse.toByteArray());
            }
        } else if (pdu instanceof TaskManagementResponse t) {
            conn.statusReceived(t.statSn());
            updateWindow(t.expCmdSn(), t.maxCmdSn());
            complete(t.initiatorTaskTag(), t.response());
        } else if (pdu instanceof LogoutResponse l) {
            conn.statusReceived(l.statSn());
            complete(l.initiatorTaskTag(), l.response());
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
     * A Reject (RFC 7143 §11.17): below level 1 the request it names fails. From level 1 a data
     * digest error on a command is made up by sending the command again (§7.2.1), one on Data-Out
     * by the target's recovery R2T, and a refused SNACK for data the target let go fails the
     * command; a SNACK refused as a protocol error only asked for what needs no asking.
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
        if (conn.params().errorRecoveryLevel() >= 1) {
            Pending p = pending.get(itt);
            if (r.reason() == Reject.DATA_DIGEST_ERROR) {
                if (opcode == Opcode.SCSI_COMMAND.code() && p != null && p.command != null) {
                    resend(p);
                }
                return;
            }
            if (opcode == Opcode.SNACK_REQUEST.code() && r.reason() != Reject.SNACK_REJECT) {
                return;
            }
        }
        fail(
                itt,
                new IscsiInitiatorException(
                        "target sent Reject, reason 0x" + Integer.toHexString(r.reason())));
    }

    private void onDataIn(InitiatorConnection conn, DataIn d) {
        updateWindow(d.expCmdSn(), d.maxCmdSn());
        Pending p = pending.get(d.initiatorTaskTag());
        if (p == null || p.conn != conn) {
            d.release();
            if (d.statusPresent()) {
                conn.statusReceived(d.statSn());
            }
            return;
        }
        p.lastActivityNanos = System.nanoTime();
        if (p.dataInSeen == null && d.dataSn() != p.expectedDataSn++) {
            d.release();
            fail(
                    d.initiatorTaskTag(),
                    new IscsiInitiatorException("Data-In DataSN " + d.dataSn() + " out of order"));
            return;
        }
        int len = d.data().readableBytes();
        if (d.bufferOffset() + len > p.dataIn.length) {
            d.release();
            fail(
                    d.initiatorTaskTag(),
                    new IscsiInitiatorException("Data-In beyond the expected transfer length"));
            return;
        }
        // by offset: a Data-In sent again, or after a gap, lands where it belongs
        d.data().getBytes(d.data().readerIndex(), p.dataIn, d.bufferOffset(), len);
        p.dataInLength = Math.max(p.dataInLength, d.bufferOffset() + len);
        d.release();
        if (p.dataInSeen != null) {
            p.dataInSeen.arrive(d.dataSn());
            askForMissingData(conn, p, d.dataSn());
            if (d.acknowledge() && !p.dataInSeen.missingBelow(d.dataSn() + 1)) {
                // §11.7.2: the target asks for a DataACK; BegRun is the next DataSN expected
                sendSnack(
                        conn,
                        SnackRequest.DATA_ACK,
                        p,
                        d.targetTransferTag(),
                        p.dataInSeen.contiguous(),
                        0);
            }
        }
        if (d.statusPresent()) {
            ScsiResult result =
                    new ScsiResult(
                            d.status(),
                            new byte[0],
                            null,
                            d.overflow(),
                            d.underflow(),
                            d.residualCount());
            finishOrHold(conn, p, d.statSn(), result, d.dataSn() + 1);
        } else {
            completeHeldIfWhole(conn, p);
        }
    }

    /**
     * At level 1 and above, asks with a Data SNACK for the Data-In missing below {@code dataSn}.
     */
    private void askForMissingData(InitiatorConnection conn, Pending p, int below) {
        int[] run = p.dataInSeen.toAskBelow(below);
        if (run != null) {
            log.warn(
                    "ITT 0x{}: Data-In DataSN {} to {} missing; asking again (SNACK)",
                    Integer.toHexString(p.command.initiatorTaskTag()),
                    run[0],
                    run[0] + run[1] - 1);
            sendSnack(conn, SnackRequest.DATA_R2T, p, Pdu.RESERVED_TAG, run[0], run[1]);
        }
    }

    /**
     * A command's status arrived, with {@code dataInCount} Data-In sent for it: it completes, or at
     * level 1 and above, while Data-In is missing, the status waits unacknowledged for it
     * (§11.7.2).
     */
    private void finishOrHold(
            InitiatorConnection conn, Pending p, int statSn, ScsiResult result, int dataInCount) {
        if (p.dataInSeen != null && p.dataInSeen.missingBelow(dataInCount)) {
            askForMissingData(conn, p, dataInCount);
            if (p.heldResult == null) {
                p.heldResult = result;
                p.heldStatSn = statSn;
                p.expectedDataSn = dataInCount;
                conn.holdStatus(statSn);
            }
            conn.statusReceived(statSn);
            return;
        }
        conn.statusReceived(statSn);
        complete(p.command.initiatorTaskTag(), withData(result, p));
    }

    private void completeHeldIfWhole(InitiatorConnection conn, Pending p) {
        if (p.heldResult != null && !p.dataInSeen.missingBelow(p.expectedDataSn)) {
            conn.releaseStatus(p.heldStatSn);
            complete(p.command.initiatorTaskTag(), withData(p.heldResult, p));
        }
    }

    private static ScsiResult withData(ScsiResult r, Pending p) {
        return new ScsiResult(
                r.status(), r.sense(), trimmed(p), r.overflow(), r.underflow(), r.residual());
    }

    private void sendSnack(
            InitiatorConnection conn, int type, Pending p, int ttt, int begRun, int runLength) {
        conn.writeAndFlush(
                new SnackRequest(
                        type,
                        p == null ? 0 : p.command.lun(),
                        p == null || type == SnackRequest.DATA_ACK
                                ? Pdu.RESERVED_TAG
                                : p.command.initiatorTaskTag(),
                        ttt,
                        conn.expStatSn(),
                        begRun,
                        runLength));
    }

    /** A gap in a connection's StatSN: asks for the missing responses (§11.16.1 Status SNACK). */
    void askForStatus(InitiatorConnection conn, int from, int count) {
        log.warn(
                "CID {}: StatSN {} to {} missing; asking again (Status SNACK)",
                conn.cid(),
                Integer.toUnsignedString(from),
                Integer.toUnsignedString(from + count - 1));
        sendSnack(conn, SnackRequest.STATUS, null, Pdu.RESERVED_TAG, from, count);
    }

    /**
     * A PDU from the target whose data digest failed, at level 1 and above (RFC 7143 §7.8): the PDU
     * is gone; a Data-In is asked for again by its DataSN, a numbered response by its StatSN.
     */
    void onDataDigestError(InitiatorConnection conn, DataDigestError err) {
        ByteBuf h = err.header();
        int opcode = err.opcodeCode();
        log.warn(
                "CID {}: data digest error on opcode 0x{} ITT 0x{}; asking for it again",
                conn.cid(),
                Integer.toHexString(opcode),
                Integer.toHexString(err.initiatorTaskTag()));
        if (opcode == Opcode.DATA_IN.code()) {
            Pending p = pending.get(err.initiatorTaskTag());
            if (p != null && p.command != null) {
                sendSnack(conn, SnackRequest.DATA_R2T, p, Pdu.RESERVED_TAG, Bhs.dataSn(h), 1);
            }
        } else if (opcode != Opcode.READY_TO_TRANSFER.code()) {
            sendSnack(
                    conn, SnackRequest.STATUS, null, Pdu.RESERVED_TAG, Bhs.commandOrStatusSn(h), 1);
        }
    }

    /**
     * At level 1 and above, every half second: a command quiet for {@link #QUIET_NANOS} is sent
     * again with the same ITT and CmdSN (RFC 7143 §7.2.1 retry: the target ignores it while it
     * runs, answers again if it finished, runs it if it never arrived), and its missing Data-In
     * asked for again.
     */
    private void retryQuietCommands() {
        long now = System.nanoTime();
        Set<InitiatorConnection> ping = new HashSet<>();
        for (Pending p : List.copyOf(pending.values())) {
            if (p.command == null
                    || p.future.isDone()
                    || !p.conn.active()
                    || now - p.lastActivityNanos < QUIET_NANOS) {
                continue;
            }
            p.lastActivityNanos = now;
            if (p.dataInSeen != null && p.dataInSeen.contiguous() > 0) {
                p.dataInSeen.askAgain();
                sendSnack(
                        p.conn,
                        SnackRequest.DATA_R2T,
                        p,
                        Pdu.RESERVED_TAG,
                        p.dataInSeen.contiguous(),
                        0);
            } else if (!SerialNumbers.lessThan(p.command.cmdSn(), window.expCmdSn())) {
                // the target has not counted it (ExpCmdSN is not past it): it may be lost
                log.warn(
                        "ITT 0x{} CmdSN {}: not acknowledged for {} ms; sending it again",
                        Integer.toHexString(p.command.initiatorTaskTag()),
                        Integer.toUnsignedString(p.command.cmdSn()),
                        TimeUnit.NANOSECONDS.toMillis(QUIET_NANOS));
                resend(p);
            } else {
                // it arrived and runs, or its status was lost with nothing after it to show the
                // gap: a NOP-In's StatSN will show it (§11.19)
                ping.add(p.conn);
            }
        }
        for (InitiatorConnection c : ping) {
            ping(c, Unpooled.EMPTY_BUFFER, new CompletableFuture<>());
        }
    }

    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);

    private ScheduledFuture<?> retryWatch;

    /** Sends a command again, as it was (§7.2.1), on the connection it is allegiant to. */
    private void resend(Pending p) {
        ByteBuf imm =
                p.immediateLength == 0
                        ? Unpooled.EMPTY_BUFFER
                        : p.dataOut.retainedSlice(0, p.immediateLength);
        p.conn.writeAndFlush(p.command.retry(p.conn.expStatSn(), imm));
    }

    private void onResponse(InitiatorConnection conn, ScsiResponse r) {
        updateWindow(r.expCmdSn(), r.maxCmdSn());
        Pending p = pending.get(r.initiatorTaskTag());
        byte[] sense = new byte[0];
        ByteBuf d = r.data();
        if (d.readableBytes() >= 2) {
            int senseLength = d.getUnsignedShort(d.readerIndex());
            sense = new byte[Math.min(senseLength, d.readableBytes() - 2)];
            d.getBytes(d.readerIndex() + 2, sense);
        }
        r.release();
        if (p == null || p.command == null || p.conn != conn) {
            conn.statusReceived(r.statSn());
            return;
        }
        p.lastActivityNanos = System.nanoTime();
        ScsiResult result =
                new ScsiResult(
                        r.status(), sense, null, r.overflow(), r.underflow(), r.residualCount());
        // §11.4: ExpDataSN counts the R2Ts and Data-In sent for the command; for a read, the
        // Data-In (§7.9: one that implies missing Data-In is a sequence error)
        int dataIn = p.command.read() && !p.command.write() ? r.expDataSn() : 0;
        finishOrHold(conn, p, r.statSn(), result, dataIn);
    }

    private static byte[] trimmed(Pending p) {
        return p.dataInLength == p.dataIn.length
                ? p.dataIn
                : Arrays.copyOf(p.dataIn, p.dataInLength);
    }
}
