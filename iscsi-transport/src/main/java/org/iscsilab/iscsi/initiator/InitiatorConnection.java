package org.iscsilab.iscsi.initiator;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.iscsilab.iscsi.codec.DataDigestError;
import org.iscsilab.iscsi.codec.DigestSettings;
import org.iscsilab.iscsi.codec.HeaderDigestError;
import org.iscsilab.iscsi.login.Keys;
import org.iscsilab.iscsi.login.LoginException;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.login.TextParameters;
import org.iscsilab.iscsi.pdu.LoginRequest;
import org.iscsilab.iscsi.pdu.LoginResponse;
import org.iscsilab.iscsi.pdu.Pdu;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection of an initiator session: its login (leading, or joining the session with its
 * TSIH, RFC 7143 §6.3), its own StatSN acknowledgement (§4.2.2.2), digests and segment lengths, and
 * its NOP-Out keepalive. Full-feature PDUs go to the session. Event loop only; all connections of a
 * session share one event loop.
 */
final class InitiatorConnection {
    private static final Logger log = LoggerFactory.getLogger(InitiatorConnection.class);

    private final InitiatorSession session;
    private final InitiatorConfig config;
    private final int cid;

    /** The session's TSIH when this connection joins it; 0 for the leading login. */
    private final int tsih;

    private final DigestSettings digests;
    private final InitiatorLogin login;
    private final CompletableFuture<InitiatorConnection> loginFuture = new CompletableFuture<>();
    private final Handler handler = new Handler();
    private Channel channel;
    private SessionParameters params;

    /** ExpStatSN during the login; the status sequence takes over in the full feature phase. */
    private int loginExpStatSn;

    private StatusSequence statuses;

    /** Gone from the session: closed, or replaced. */
    private boolean closed;

    // the NOP-Out keepalive's clock
    private long lastReceiveNanos;
    private int pingItt = Pdu.RESERVED_TAG;
    private long pingSentNanos;
    private volatile boolean nopTimedOut;

    InitiatorConnection(InitiatorSession session, InitiatorConfig config, int cid, int tsih) {
        this(session, config, cid, tsih, 0);
    }

    /**
     * A connection that replaces one with the same CID: its first Login Request carries the old
     * connection's ExpStatSN (RFC 7143 §11.12.3, §6.3.4).
     */
    InitiatorConnection(
            InitiatorSession session, InitiatorConfig config, int cid, int tsih, int oldExpStatSn) {
        this.loginExpStatSn = oldExpStatSn;
        this.session = session;
        this.config = config;
        this.cid = cid;
        this.tsih = tsih;
        this.digests = new DigestSettings(config.maxRecvDataSegmentLength());
        this.login = new InitiatorLogin(config, tsih != 0);
    }

    InitiatorSession session() {
        return session;
    }

    InitiatorConfig config() {
        return config;
    }

    ChannelHandler handler() {
        return handler;
    }

    DigestSettings digests() {
        return digests;
    }

    CompletableFuture<InitiatorConnection> loginFuture() {
        return loginFuture;
    }

    int cid() {
        return cid;
    }

    Channel channel() {
        return channel;
    }

    /** This connection's parameters: the session's with its own digests and segment lengths. */
    SessionParameters params() {
        return params;
    }

    InitiatorLogin login() {
        return login;
    }

    boolean active() {
        return !closed && channel != null && channel.isActive() && loginFuture.isDone();
    }

    boolean nopTimedOut() {
        return nopTimedOut;
    }

    /** ExpStatSN for the next PDU on this connection (RFC 7143 §4.2.2.2). */
    int expStatSn() {
        return statuses == null ? loginExpStatSn : statuses.expStatSn();
    }

    /**
     * A status-carrying PDU with {@code statSn} arrived; at ErrorRecoveryLevel 1 and above a gap
     * before it is asked for with a Status SNACK (RFC 7143 §11.16.1).
     */
    void statusReceived(int statSn) {
        int missing = statuses.received(statSn);
        if (missing > 0) {
            session.askForStatus(this, statuses.missingFrom, missing);
        }
    }

    /** Keeps a status unacknowledged while its command misses Data-In (§11.7.2). */
    void holdStatus(int statSn) {
        statuses.hold(statSn);
    }

    void releaseStatus(int statSn) {
        statuses.release(statSn);
    }

    void write(Pdu pdu) {
        channel.write(pdu);
    }

    void writeAndFlush(Pdu pdu) {
        channel.writeAndFlush(pdu);
    }

    void flush() {
        channel.flush();
    }

    void close() {
        if (channel != null) {
            channel.close();
        }
    }

    private void sendLogin(InitiatorLogin.Request r) {
        ByteBuf text =
                r.keys().isEmpty()
                        ? Unpooled.EMPTY_BUFFER
                        : Unpooled.wrappedBuffer(TextParameters.encode(r.keys()));
        channel.writeAndFlush(
                LoginRequest.forConnection(
                        r.transit(),
                        r.currentStage(),
                        r.nextStage(),
                        config.isid(),
                        tsih,
                        0,
                        cid,
                        session.nextCmdSn(),
                        loginExpStatSn,
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
        loginExpStatSn = r.statSn() + 1;
        session.updateWindow(r.expCmdSn(), r.maxCmdSn());
        InitiatorLogin.Step next = login.next(r);
        if (next instanceof InitiatorLogin.Request request) {
            sendLogin(request);
        } else if (next instanceof InitiatorLogin.Complete done) {
            params = session.loggedIn(this, done.tsih());
            statuses = new StatusSequence(params.errorRecoveryLevel() >= 1);
            statuses.start(r.statSn());
            // digests start with the first PDU after the final Login Response (RFC 7143 §13.1)
            digests.enableDigests(params.headerDigest(), params.dataDigest());
            // RFC 7143 §7.8: from level 1 a PDU with a bad header digest is discarded, not fatal
            digests.discardHeaderDigestErrors(params.errorRecoveryLevel() >= 1);
            loginFuture.complete(this);
            if (config.keepalive().enabled()) {
                scheduleKeepalive(config.keepalive().interval().toNanos());
            }
        }
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
            CompletableFuture<byte[]> answer = new CompletableFuture<>();
            answer.whenComplete(
                    (r, e) -> channel.eventLoop().execute(() -> pingItt = Pdu.RESERVED_TAG));
            pingItt = session.ping(this, Unpooled.EMPTY_BUFFER, answer);
            pingSentNanos = now;
        }
        long next =
                pingItt != Pdu.RESERVED_TAG
                        ? pingSentNanos + k.timeout().toNanos() - now
                        : lastReceiveNanos + k.interval().toNanos() - now;
        scheduleKeepalive(next);
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
            if (msg instanceof HeaderDigestError e) {
                log.warn(
                        "header digest error from the target (received {}, computed {}); PDU"
                                + " discarded",
                        Integer.toHexString(e.received()),
                        Integer.toHexString(e.computed()));
                return;
            }
            if (msg instanceof DataDigestError err) {
                if (params != null && params.errorRecoveryLevel() >= 1) {
                    try {
                        session.onDataDigestError(InitiatorConnection.this, err);
                    } finally {
                        err.header().release();
                    }
                    return;
                }
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
            session.onPdu(InitiatorConnection.this, pdu);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            loginFuture.completeExceptionally(new IscsiInitiatorException("connection closed"));
            closed = true;
            session.connectionClosed(InitiatorConnection.this);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("initiator connection error: {}", cause.toString());
            ctx.close();
        }
    }
}
