package org.iscsilab.iscsi.initiator;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.iscsilab.iscsi.codec.DataDigestError;
import org.iscsilab.iscsi.codec.DigestSettings;
import org.iscsilab.iscsi.login.Keys;
import org.iscsilab.iscsi.login.LoginException;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.login.TextParameters;
import org.iscsilab.iscsi.pdu.AsyncMessage;
import org.iscsilab.iscsi.pdu.DataIn;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.LoginRequest;
import org.iscsilab.iscsi.pdu.LoginResponse;
import org.iscsilab.iscsi.pdu.LogoutRequest;
import org.iscsilab.iscsi.pdu.LogoutResponse;
import org.iscsilab.iscsi.pdu.NopIn;
import org.iscsilab.iscsi.pdu.NopOut;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ReadyToTransfer;
import org.iscsilab.iscsi.pdu.Reject;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.iscsi.pdu.ScsiResponse;
import org.iscsilab.iscsi.pdu.TaskManagementRequest;
import org.iscsilab.iscsi.pdu.TaskManagementResponse;
import org.iscsilab.iscsi.pdu.TextRequest;
import org.iscsilab.iscsi.pdu.TextResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One initiator session on one connection (RFC 7143, ErrorRecoveryLevel 0). Public methods may be
 * called from any thread; all protocol state lives on the channel's event loop.
 */
public final class InitiatorSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InitiatorSession.class);
    private final InitiatorConfig config;
    private final DigestSettings digests;
    private final Handler handler = new Handler();
    private final CompletableFuture<InitiatorSession> loginFuture = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final InitiatorLogin login;
    private final CommandWindow window = new CommandWindow();
    private Channel channel;
    private SessionParameters params;
    private int tsih;
    private int expStatSn;
    private int nextItt = 1;
    private final Map<Integer, Pending> pending = new HashMap<>();
    private final ByteArrayOutputStream textResponse = new ByteArrayOutputStream();
    private volatile String targetAlias;
    private volatile int portalGroupTag = -1;

    // the NOP-Out keepalive's clock (event loop only)
    private long lastReceiveNanos;
    private int pingItt = Pdu.RESERVED_TAG;
    private long pingSentNanos;
    private volatile boolean nopTimedOut;

    /** A request waiting for its answer. */
    private static final class Pending {
        final CompletableFuture<Object> future = new CompletableFuture<>();

        /** The command's initiator task tag, once it was sent (for ABORT TASK). */
        final CompletableFuture<Integer> itt = new CompletableFuture<>();

        ScsiCommand command;
        ByteBuf dataOut;
        byte[] dataIn;
        int dataInLength;
        int expectedDataSn;
    }

    InitiatorSession(InitiatorConfig config, DigestSettings digests) {
        this.config = config;
        this.digests = digests;
        this.login = new InitiatorLogin(config);
    }

    ChannelHandler handler() {
        return handler;
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
        return channel != null && channel.isActive();
    }

    /** Completes when the connection closes, for whatever reason. */
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
                    if (!channel.isActive()) {
                        // the connection is gone (its pending commands were failed already): a
                        // command submitted now fails at once, for the caller to retry elsewhere
                        p.future.completeExceptionally(
                                new IscsiInitiatorException("connection closed"));
                        p.itt.completeExceptionally(
                                new IscsiInitiatorException("connection closed"));
                        return;
                    }
                    int itt = nextItt();
                    ByteBuf out = dataOut == null ? null : Unpooled.wrappedBuffer(dataOut);
                    p.dataOut = out;
                    p.dataIn = read ? new byte[edtl] : new byte[0];
                    int immediate = 0;
                    if (write && out != null && params.immediateData()) {
                        immediate =
                                Math.min(
                                        Math.min(
                                                params.firstBurstLength(),
                                                params.peerMaxRecvDataSegmentLength()),
                                        Math.min(edtl, out.readableBytes()));
                    }
                    int unsolicitedEnd =
                            !write || out == null
                                    ? 0
                                    : params.initialR2T()
                                            ? immediate
                                            : Math.min(
                                                    params.firstBurstLength(),
                                                    Math.min(edtl, out.readableBytes()));
                    boolean moreUnsolicited = unsolicitedEnd > immediate;
                    ByteBuf imm =
                            immediate == 0
                                    ? Unpooled.EMPTY_BUFFER
                                    : out.retainedSlice(0, immediate);
                    int immediateLen = immediate;
                    enqueue(
                            sn -> {
                                ScsiCommand cmd =
                                        ScsiCommand.simple(
                                                lunField,
                                                itt,
                                                cdb,
                                                edtl,
                                                read,
                                                write,
                                                moreUnsolicited,
                                                sn,
                                                expStatSn,
                                                imm);
                                p.command = cmd;
                                pending.put(itt, p);
                                p.itt.complete(itt);
                                channel.write(cmd);
                                if (moreUnsolicited) {
                                    sendData(
                                            p,
                                            Pdu.RESERVED_TAG,
                                            immediateLen,
                                            unsolicitedEnd - immediateLen);
                                }
                                channel.flush();
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

    /** SendTargets (RFC 7143 §13.3): "All", a target name, or "" for this session's target. */
    public CompletableFuture<List<DiscoveredTarget>> sendTargets(String which) {
        Pending p = new Pending();
        onLoop(
                () -> {
                    int itt = nextItt();
                    pending.put(itt, p);
                    textResponse.reset();
                    ByteBuf text =
                            Unpooled.wrappedBuffer(
                                    TextParameters.encode(
                                            List.of(Map.entry(Keys.SEND_TARGETS, which))));
                    enqueue(
                            sn ->
                                    channel.writeAndFlush(
                                            new TextRequest(
                                                    false,
                                                    true,
                                                    false,
                                                    0,
                                                    itt,
                                                    Pdu.RESERVED_TAG,
                                                    sn,
                                                    expStatSn,
                                                    text)));
                });
        return p.future
                .orTimeout(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(o -> DiscoveredTarget.parseSendTargets((byte[]) o));
    }

    /**
     * NOP-Out ping that expects a NOP-In echo (RFC 7143 §11.18); completes with the echoed bytes.
     */
    public CompletableFuture<byte[]> nop(byte[] pingData) {
        Pending p = new Pending();
        onLoop(() -> sendPing(p, Unpooled.wrappedBuffer(pingData)));
        return p.future
                .orTimeout(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(o -> (byte[]) o);
    }

    /** A task management function (RFC 7143 §11.5); completes with the response code. */
    public CompletableFuture<Integer> taskManagement(
            int function, long lunField, int referencedTaskTag) {
        Pending p = new Pending();
        onLoop(
                () -> {
                    int itt = nextItt();
                    pending.put(itt, p);
                    channel.writeAndFlush(
                            new TaskManagementRequest(
                                    true,
                                    function,
                                    lunField,
                                    itt,
                                    referencedTaskTag,
                                    window.cmdSn(),
                                    expStatSn,
                                    window.cmdSn(),
                                    0));
                });
        return p.future
                .orTimeout(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(o -> (Integer) o);
    }

    /** Logout, reason "close the session" (RFC 7143 §11.14); completes when the target answered. */
    public CompletableFuture<Integer> logout() {
        Pending p = new Pending();
        onLoop(
                () -> {
                    if (!channel.isActive()) {
                        p.future.completeExceptionally(
                                new IscsiInitiatorException("connection already closed"));
                        return;
                    }
                    int itt = nextItt();
                    pending.put(itt, p);
                    channel.writeAndFlush(
                            new LogoutRequest(
                                    true,
                                    LogoutRequest.CLOSE_SESSION,
                                    itt,
                                    0,
                                    window.cmdSn(),
                                    expStatSn));
                });
        return p.future
                .orTimeout(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(o -> (Integer) o)
                .whenComplete((r, e) -> channel.close());
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
    }

    // ---- internals (event loop only) ----

    private void onLoop(Runnable r) {
        if (channel == null) {
            throw new IllegalStateException("not connected");
        }
        if (channel.eventLoop().inEventLoop()) {
            r.run();
        } else {
            channel.eventLoop().execute(r);
        }
    }

    private int nextItt() {
        int itt = nextItt++;
        if (nextItt == Pdu.RESERVED_TAG) {
            nextItt = 1;
        }
        return itt;
    }

    private void enqueue(IntConsumer send) {
        window.enqueue(send);
    }

    private void updateWindow(int newExpCmdSn, int newMaxCmdSn) {
        window.update(newExpCmdSn, newMaxCmdSn);
    }

    private void sendData(Pending p, int ttt, int offset, int length) {
        int dataSn = 0;
        int end = offset + length;
        int max = params.peerMaxRecvDataSegmentLength();
        for (int off = offset; off < end; off += max) {
            int n = Math.min(max, end - off);
            int available = Math.max(0, Math.min(n, p.dataOut.readableBytes() - off));
            ByteBuf slice =
                    available == 0
                            ? Unpooled.EMPTY_BUFFER
                            : p.dataOut.retainedSlice(off, available);
            channel.write(
                    new DataOut(
                            off + n >= end,
                            p.command.lun(),
                            p.command.initiatorTaskTag(),
                            ttt,
                            expStatSn,
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
        Pending p = pending.remove(itt);
        if (p != null) {
            if (p.dataOut != null && p.dataOut.refCnt() > 0) {
                p.dataOut.release();
            }
            p.future.completeExceptionally(t);
        }
    }

    private void sendLogin(InitiatorLogin.Request r) {
        ByteBuf text =
                r.keys().isEmpty()
                        ? Unpooled.EMPTY_BUFFER
                        : Unpooled.wrappedBuffer(TextParameters.encode(r.keys()));
        channel.writeAndFlush(
                LoginRequest.leading(
                        r.transit(),
                        r.currentStage(),
                        r.nextStage(),
                        config.isid(),
                        0,
                        window.cmdSn(),
                        expStatSn,
                        text));
    }

    /** The TargetAddress a redirecting Login Response carries, or null. */
    private static String targetAddressOf(LoginResponse r) {
        byte[] text = new byte[r.data().readableBytes()];
        r.data().getBytes(r.data().readerIndex(), text);
        try {
            for (Map.Entry<String, String> kv : TextParameters.decode(text)) {
                if (kv.getKey().equals(Keys.TARGET_ADDRESS)) {
                    return kv.getValue();
                }
            }
        } catch (TextParameters.TextFormatException e) {
            return null;
        }
        return null;
    }

    private void onLoginResponse(LoginResponse r) throws LoginException {
        if (r.statusClass() != 0) {
            throw new LoginRefusedException(
                    r.statusClass(),
                    r.statusDetail(),
                    r.statusClass() == 0x01 ? targetAddressOf(r) : null);
        }
        expStatSn = r.statSn() + 1;
        updateWindow(r.expCmdSn(), r.maxCmdSn());
        InitiatorLogin.Step next = login.next(r);
        if (next instanceof InitiatorLogin.Request request) {
            sendLogin(request);
        } else if (next instanceof InitiatorLogin.Complete done) {
            tsih = done.tsih();
            params = login.parameters();
            targetAlias = login.targetAlias();
            portalGroupTag = login.portalGroupTag();
            // digests start with the first PDU after the final Login Response (RFC 7143 §13.1)
            digests.enableDigests(params.headerDigest(), params.dataDigest());
            loginFuture.complete(this);
            if (config.keepalive().enabled()) {
                scheduleKeepalive(config.keepalive().interval().toNanos());
            }
        }
    }

    /**
     * Whether this connection was dropped because a NOP-Out went unanswered (open-iscsi's
     * ISCSI_ERR_NOP_TIMEDOUT).
     */
    public boolean nopTimedOut() {
        return nopTimedOut;
    }

    /**
     * A NOP-Out with a valid ITT, which the target answers with a NOP-In echoing {@code data} (RFC
     * 7143 §11.18); event loop only. Returns the ITT.
     */
    private int sendPing(Pending p, ByteBuf data) {
        int itt = nextItt();
        pending.put(itt, p);
        channel.writeAndFlush(
                new NopOut(true, 0, itt, Pdu.RESERVED_TAG, window.cmdSn(), expStatSn, data));
        return itt;
    }

    private void scheduleKeepalive(long delayNanos) {
        channel.eventLoop()
                .schedule(
                        this::checkKeepalive,
                        Math.max(delayNanos, 1_000_000),
                        TimeUnit.NANOSECONDS);
    }

    /**
     * libiscsi's iscsi_check_transport_timeouts: a connection quiet for the interval gets a
     * NOP-Out; one whose NOP-Out is unanswered after the timeout is dropped (RFC 7143 §11.18: the
     * initiator pings with a valid ITT and the target echoes it in a NOP-In).
     */
    private void checkKeepalive() {
        if (!channel.isActive()) {
            return;
        }
        NopOutKeepalive k = config.keepalive();
        long now = System.nanoTime();
        long quiet = now - lastReceiveNanos;
        if (pingItt != Pdu.RESERVED_TAG && now - pingSentNanos >= k.timeout().toNanos()) {
            log.warn(
                    "no NOP-In within {} ms of the NOP-Out ping (nothing from the target for {} ms);"
                            + " dropping the connection",
                    k.timeout().toMillis(),
                    quiet / 1_000_000);
            nopTimedOut = true;
            channel.close();
            return;
        }
        if (quiet >= k.interval().toNanos() && pingItt == Pdu.RESERVED_TAG) {
            Pending p = new Pending();
            p.future.whenComplete((r, e) -> onLoop(() -> pingItt = Pdu.RESERVED_TAG));
            pingItt = sendPing(p, Unpooled.EMPTY_BUFFER);
            pingSentNanos = now;
        }
        long next =
                pingItt != Pdu.RESERVED_TAG
                        ? pingSentNanos + k.timeout().toNanos() - now
                        : lastReceiveNanos + k.interval().toNanos() - now;
        scheduleKeepalive(next);
    }

    private void onPdu(Pdu pdu) {
        if (pdu instanceof DataIn d) {
            onDataIn(d);
        } else if (pdu instanceof ScsiResponse r) {
            onResponse(r);
        } else if (pdu instanceof ReadyToTransfer r2t) {
            updateWindow(r2t.expCmdSn(), r2t.maxCmdSn());
            Pending p = pending.get(r2t.initiatorTaskTag());
            if (p != null && p.dataOut != null) {
                sendData(
                        p,
                        r2t.targetTransferTag(),
                        r2t.bufferOffset(),
                        r2t.desiredDataTransferLength());
                channel.flush();
            }
        } else if (pdu instanceof NopIn n) {
            updateWindow(n.expCmdSn(), n.maxCmdSn());
            if (n.initiatorTaskTag() != Pdu.RESERVED_TAG) {
                expStatSn = n.statSn() + 1;
                complete(n.initiatorTaskTag(), ByteBufUtil.getBytes(n.data()));
            } else if (n.targetTransferTag() != Pdu.RESERVED_TAG) {
                // answer the target's ping (RFC 7143 §11.19)
                channel.writeAndFlush(
                        new NopOut(
                                true,
                                n.lun(),
                                Pdu.RESERVED_TAG,
                                n.targetTransferTag(),
                                window.cmdSn(),
                                expStatSn,
                                Unpooled.EMPTY_BUFFER));
            }
            n.release();
        } else if (pdu instanceof TextResponse t) {
            expStatSn = t.statSn() + 1;
            updateWindow(t.expCmdSn(), t.maxCmdSn());
            textResponse.writeBytes(ByteBufUtil.getBytes(t.data()));
            t.release();
            if (t.continueFlag() && !t.finalFlag()) {
                int itt = t.initiatorTaskTag();
                int ttt = t.targetTransferTag();
                enqueue(
                        sn ->
                                channel.writeAndFlush(
                                        new TextRequest(
                                                false,
                                                true,
                                                false,
                                                0,
                                                itt,
                                                ttt,
                                                sn,
                                                expStatSn,
                                                Unpooled.EMPTY_BUFFER)));
            } else {
                complete(t.initiatorTaskTag(), textResponse.toByteArray());
            }
        } else if (pdu instanceof TaskManagementResponse t) {
            expStatSn = t.statSn() + 1;
            updateWindow(t.expCmdSn(), t.maxCmdSn());
            complete(t.initiatorTaskTag(), t.response());
        } else if (pdu instanceof LogoutResponse l) {
            expStatSn = l.statSn() + 1;
            complete(l.initiatorTaskTag(), l.response());
        } else if (pdu instanceof Reject r) {
            expStatSn = r.statSn() + 1;
            updateWindow(r.expCmdSn(), r.maxCmdSn());
            int itt =
                    r.data().readableBytes() >= 20
                            ? r.data().getInt(r.data().readerIndex() + 16)
                            : Pdu.RESERVED_TAG;
            log.warn(
                    "target rejected a PDU: reason 0x{} (ITT 0x{})",
                    Integer.toHexString(r.reason()),
                    Integer.toHexString(itt));
            r.release();
            fail(
                    itt,
                    new IscsiInitiatorException(
                            "target sent Reject, reason 0x" + Integer.toHexString(r.reason())));
        } else if (pdu instanceof AsyncMessage a) {
            a.release();
            expStatSn = a.statSn() + 1;
            if (a.asyncEvent() == AsyncMessage.LOGOUT_REQUESTED) {
                log.info("target requests logout");
                logout();
            }
        } else {
            log.warn("unexpected {} from the target", pdu.opcode());
            pdu.release();
        }
    }

    private void onDataIn(DataIn d) {
        updateWindow(d.expCmdSn(), d.maxCmdSn());
        Pending p = pending.get(d.initiatorTaskTag());
        if (p == null) {
            d.release();
            return;
        }
        if (d.dataSn() != p.expectedDataSn++) {
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
        d.data().getBytes(d.data().readerIndex(), p.dataIn, d.bufferOffset(), len);
        p.dataInLength = Math.max(p.dataInLength, d.bufferOffset() + len);
        d.release();
        if (d.statusPresent()) {
            expStatSn = d.statSn() + 1;
            complete(
                    d.initiatorTaskTag(),
                    new ScsiResult(
                            d.status(),
                            new byte[0],
                            trimmed(p),
                            d.overflow(),
                            d.underflow(),
                            d.residualCount()));
        }
    }

    private void onResponse(ScsiResponse r) {
        expStatSn = r.statSn() + 1;
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
        if (p == null) {
            return;
        }
        complete(
                r.initiatorTaskTag(),
                new ScsiResult(
                        r.status(),
                        sense,
                        trimmed(p),
                        r.overflow(),
                        r.underflow(),
                        r.residualCount()));
    }

    private static byte[] trimmed(Pending p) {
        return p.dataInLength == p.dataIn.length
                ? p.dataIn
                : Arrays.copyOf(p.dataIn, p.dataInLength);
    }

    private final class Handler extends SimpleChannelInboundHandler<Object> {
        Handler() {
            super(false);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            // with authentication the security stage takes several exchanges: do not ask to leave
            // it yet
            sendLogin(login.start());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof DataDigestError err) {
                err.header().release();
                log.warn(
                        "data digest error from the target; dropping the connection (ErrorRecoveryLevel 0)");
                ctx.close();
                return;
            }
            Pdu pdu = (Pdu) msg;
            lastReceiveNanos = System.nanoTime();
            if (!loginFuture.isDone()) {
                if (pdu instanceof LoginResponse r) {
                    try {
                        onLoginResponse(r);
                    } catch (LoginRefusedException e) {
                        loginFuture.completeExceptionally(e);
                        ctx.close();
                    } catch (LoginException | RuntimeException e) {
                        loginFuture.completeExceptionally(
                                new IscsiInitiatorException(e.getMessage(), e));
                        ctx.close();
                    } finally {
                        r.release();
                    }
                } else {
                    pdu.release();
                    loginFuture.completeExceptionally(
                            new IscsiInitiatorException(pdu.opcode() + " during login"));
                    ctx.close();
                }
                return;
            }
            onPdu(pdu);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            IscsiInitiatorException lost = new IscsiInitiatorException("connection closed");
            loginFuture.completeExceptionally(lost);
            for (Integer itt : List.copyOf(pending.keySet())) {
                Pending p = pending.get(itt);
                if (p != null && p.future.isDone()) {
                    continue;
                }
                fail(itt, lost);
            }
            closed.complete(null);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("initiator connection error: {}", cause.toString());
            ctx.close();
        }
    }
}
