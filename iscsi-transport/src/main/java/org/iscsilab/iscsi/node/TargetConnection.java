package org.iscsilab.iscsi.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.iscsilab.core.fault.FaultAction;
import org.iscsilab.core.fault.FaultContext;
import org.iscsilab.core.fault.FaultRule;
import org.iscsilab.core.fault.FaultScope;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.iscsi.codec.DataDigestError;
import org.iscsilab.iscsi.codec.DigestSettings;
import org.iscsilab.iscsi.codec.FileSegmentPdu;
import org.iscsilab.iscsi.codec.HeaderDigestError;
import org.iscsilab.iscsi.codec.PduFramingException;
import org.iscsilab.iscsi.fault.ConnectionFaultAction;
import org.iscsilab.iscsi.fault.LoginFaultAction;
import org.iscsilab.iscsi.login.Keys;
import org.iscsilab.iscsi.login.LoginException;
import org.iscsilab.iscsi.login.LoginStatus;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.login.TextParameters;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.LoginRequest;
import org.iscsilab.iscsi.pdu.LoginResponse;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.slf4j.Logger;

/**
 * One TCP connection to the target: login, then hands full-feature PDUs to its session. Framing
 * errors drop only this connection (RFC 7143 §7.8). Runs on its event loop.
 */
final class TargetConnection extends SimpleChannelInboundHandler<Object> {
    private static final Logger log = TargetLog.get(TargetConnection.class);

    private final TargetPortal portal;

    /** The tag of the portal group whose portal accepted this connection (RFC 7143 §4.4.1). */
    private final int portalGroupTag;

    private final DigestSettings digests;
    private final ConnectionStateMachine fsm = new ConnectionStateMachine();
    private LoginPhase login;
    private TargetSession session;
    private Channel channel;
    private int statSn;
    private int nextTtt = 1;
    private ScheduledFuture<?> loginTimer;

    /** A PDU was written since the last {@link #flush}. */
    private boolean unflushed;

    /** The freeze and drop faults of this connection, in the pipeline before this handler. */
    private ConnectionFaultGate gate;

    /** The first Login Request, held while a freeze rule matches it. */
    private LoginRequest frozenLogin;

    private LoginPhase.Reply frozenReply;
    private String localPortal;

    // ---- the full feature phase: set when the session takes the connection in, then used on the
    // session's event loop only ----

    /** The connection's ID in its session (RFC 7143 §11.12.7), from its Login Request. */
    private int cid;

    /** The session's parameters with this connection's own digests and segment lengths. */
    private SessionParameters params;

    private ScsiResponder responder;
    private NopExchange nops;

    /**
     * What was sent, kept for SNACK and task reassignment at ErrorRecoveryLevel 1 and above; null
     * at 0, where nothing is kept.
     */
    private RetransmissionBuffer retained;

    private ConnectionFaults faults;

    /** The ExpCmdSN the final Login Response reports, as the session gave it. */
    private int joinExpCmdSn;

    /** In its session's full feature phase: commands on it run and answers go out on it. */
    private volatile boolean inSession;

    /**
     * The target closed it (a fault, an unanswered NOP-In, a framing error), not the initiator or a
     * logout: the session's other connections hear of it (RFC 7143 §11.9.1 AsyncEvent 2).
     */
    private volatile boolean droppedByTarget;

    /** An AsyncEvent 2 on this connection itself announced the drop. */
    private volatile boolean dropAnnounced;

    TargetConnection(TargetPortal portal, DigestSettings digests, int portalGroupTag) {
        super(false);
        this.portal = portal;
        this.digests = digests;
        this.portalGroupTag = portalGroupTag;
        fsm.onTransition((from, to) -> log.debug("connection {}: {} -> {}", remote(), from, to));
    }

    /** This connection in log lines (the MDC), made once. */
    private String logConnection;

    int portalGroupTag() {
        return portalGroupTag;
    }

    int cid() {
        return cid;
    }

    SessionParameters params() {
        return params;
    }

    ScsiResponder responder() {
        return responder;
    }

    NopExchange nops() {
        return nops;
    }

    ConnectionFaults faults() {
        return faults;
    }

    /** Taken into its session's full feature phase and not yet out of it. */
    boolean inSession() {
        return inSession;
    }

    boolean droppedByTarget() {
        return droppedByTarget && !dropAnnounced;
    }

    /** Whether this connection's event loop is its session's: then nothing hops between threads. */
    boolean onLoopOf(TargetSession s) {
        return channel.eventLoop() == s.loop();
    }

    /**
     * Joins {@code s} with connection ID {@code cid}: the parts of the full feature phase that are
     * per connection. Called once the login is complete, before the final Login Response.
     */
    void enterSession(TargetSession s, int cid, SessionParameters connectionParams) {
        this.cid = cid;
        this.params = connectionParams;
        this.responder = new ScsiResponder(this, s.sequencer(), connectionParams, portal.metrics());
        this.nops =
                new NopExchange(
                        s,
                        this,
                        s.sequencer(),
                        connectionParams,
                        portal.settings().nopInTimeout(),
                        portal.metrics());
        this.faults = new ConnectionFaults(s, this, portal);
        this.retained =
                connectionParams.errorRecoveryLevel() >= 1
                        ? new RetransmissionBuffer(RETAINED_BYTES)
                        : null;
    }

    /**
     * The most Data-In payload one connection keeps for SNACK (64 MiB): a fast reader's status
     * acknowledgements let it go long before that; past it the oldest is let go.
     */
    static final long RETAINED_BYTES = 64L << 20;

    /** Lets go of what the connection kept; on the session's event loop. */
    void releaseRetained() {
        if (retained != null) {
            retained.releaseAll();
        }
    }

    /** What this connection keeps of what it sent (ErrorRecoveryLevel 1 and above), or null. */
    RetransmissionBuffer retained() {
        return retained;
    }

    /** On the session's event loop, after the final Login Response: commands may flow. */
    void startFullFeature() {
        inSession = true;
    }

    /** Out of its session (closed, logged out, replaced): nothing more runs or goes out on it. */
    void leaveSession() {
        inSession = false;
        if (nops != null) {
            nops.stop();
        }
    }

    ConnectionState state() {
        return fsm.state();
    }

    ConnectionStateMachine stateMachine() {
        return fsm;
    }

    Channel channel() {
        return channel;
    }

    SocketAddress remote() {
        return channel == null ? null : channel.remoteAddress();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        gate = channel.pipeline().get(ConnectionFaultGate.class);
        logConnection = LogContext.connection(channel.remoteAddress());
        portal.metrics().connectionOpened();
        login =
                new LoginPhase(
                        portal,
                        portalGroupTag,
                        channel.remoteAddress() instanceof InetSocketAddress r
                                ? r.getAddress()
                                : null);
        long ms = portal.settings().limits().loginTimeout().toMillis();
        loginTimer =
                ctx.executor()
                        .schedule(
                                () -> {
                                    if (fsm.state() == ConnectionState.IN_LOGIN) {
                                        log.warn(
                                                "dropping connection from {}: login not finished within {} ms",
                                                remote(),
                                                ms);
                                        portal.metrics().connectionDropped("login-timeout");
                                        channel.close();
                                    }
                                },
                                ms,
                                TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
        int itt = msg instanceof Pdu p ? p.initiatorTaskTag() : -1;
        boolean dataPath = msg instanceof ScsiCommand || msg instanceof DataOut;
        // the context stays for the rest of the read burst: channelReadComplete empties it
        LogContext.enter(
                logConnection,
                session == null ? null : session.logTag(),
                itt,
                !dataPath || log.isDebugEnabled());
        handleInbound(msg);
    }

    private void handleInbound(Object msg) {
        if (msg instanceof HeaderDigestError e) {
            // RFC 7143 §7.8, §7.9: the PDU is gone; sequence numbers show the loss, and the
            // initiator's retry, SNACK or the target's recovery R2T make up for it
            log.warn(
                    "connection from {}: header digest error (received {}, computed {}); PDU"
                            + " discarded",
                    remote(),
                    Integer.toHexString(e.received()),
                    Integer.toHexString(e.computed()));
            return;
        }
        if (msg instanceof DataDigestError err) {
            if (session != null && fsm.state() == ConnectionState.LOGGED_IN) {
                session.receive(this, err); // the session releases the header
                return;
            }
            try {
                {
                    log.warn(
                            "dropping connection from {}: data digest error during login",
                            remote());
                    channel.close();
                }
            } finally {
                err.header().release();
            }
            return;
        }
        Pdu pdu = (Pdu) msg;
        if (log.isTraceEnabled()) {
            log.trace("{} <- {}", remote(), pdu);
        }
        switch (fsm.state()) {
            case IN_LOGIN -> {
                if (pdu instanceof LoginRequest req) {
                    onLogin(req);
                } else {
                    // RFC 7143 §6.1: only Login Requests are allowed before the full feature phase
                    log.warn(
                            "dropping connection from {}: {} received during login",
                            remote(),
                            pdu.opcode());
                    pdu.release();
                    channel.close();
                }
            }
            case LOGGED_IN ->
                    session.receive(
                            this, pdu); // the gate before this handler carried out freeze and drop
            default -> pdu.release();
        }
    }

    private boolean loginFrozen() {
        return portal.faults()
                .active(
                        FaultAction.Layer.CONNECTION,
                        ConnectionFaultAction.Freeze.class,
                        loginContext());
    }

    /** After a fault change: a held first Login Request is answered once no freeze matches it. */
    void retryFrozenLogin() {
        channel.eventLoop()
                .execute(
                        () -> {
                            if (frozenLogin == null || loginFrozen()) {
                                return;
                            }
                            LoginRequest req = frozenLogin;
                            frozenLogin = null;
                            portal.frozenLogins().remove(this);
                            log.info(
                                    "login from {} ({}) resumed: the freeze was lifted",
                                    remote(),
                                    login.initiatorName());
                            channel.config().setAutoRead(true);
                            continueLogin(req, frozenReply);
                        });
    }

    private void onLogin(LoginRequest req) {
        LoginPhase.Reply reply;
        try {
            reply = login.process(req);
        } catch (LoginException e) {
            loginFailed(req, e);
            req.release();
            return;
        }
        if (login.first() == req && loginFrozen()) {
            // a frozen target is a dead peer for new connections too: the login waits, unanswered,
            // until the rule is lifted (or the initiator gives up and closes the connection)
            log.info(
                    "login from {} ({}) held: frozen by a fault rule",
                    remote(),
                    login.initiatorName());
            portal.events().login(login.initiatorName(), -1, "HELD", "frozen by a fault rule");
            loginTimer.cancel(false);
            channel.config().setAutoRead(false);
            frozenLogin = req;
            frozenReply = reply;
            portal.frozenLogins().add(this);
            return;
        }
        continueLogin(req, reply);
    }

    private void loginFailed(LoginRequest req, LoginException e) {
        log.warn(
                "login from {} ({}) failed: {}: {}",
                remote(),
                login.initiatorName(),
                e.status(),
                e.getMessage());
        portal.events()
                .login(login.initiatorName(), -1, "FAILED", e.status() + ": " + e.getMessage());
        failLogin(req, e.status());
    }

    /** The rest of a Login Request once processed: refusal faults, the session, the response. */
    private void continueLogin(LoginRequest req, LoginPhase.Reply reply) {
        try {
            if (login.first() == req && !login.discovery()) {
                FaultRule redirect =
                        portal.faults().firing(LoginFaultAction.Redirect.class, loginContext());
                if (redirect != null) {
                    redirectLogin(req, (LoginFaultAction.Redirect) redirect.action());
                    return;
                }
            }
            if (login.first() == req) {
                LoginStatus refused = refusedByFault();
                if (refused != null) {
                    portal.events().login(login.initiatorName(), -1, "REFUSED", refused.toString());
                    failLogin(req, refused);
                    return;
                }
            }
            if (reply.complete()) {
                session = establish();
                gate.attach(faults);
            }
        } catch (LoginException e) {
            loginFailed(req, e);
            return;
        } finally {
            req.release();
        }
        LoginRequest first = login.first();
        if (first == req) {
            statSn = req.expStatSn();
        }
        int tsih = reply.complete() ? session.tsih() : first.tsih();
        int window = portal.settings().commandWindow();
        // a connection that joins a session reports the session's window (RFC 7143 §4.2.2.1)
        int expCmdSn = reply.complete() ? joinExpCmdSn : loginExpCmdSn(first);
        ByteBuf text = Unpooled.wrappedBuffer(TextParameters.encode(reply.keys()));
        LoginResponse resp =
                LoginResponse.accepted(
                        reply.transit(),
                        reply.currentStage(),
                        reply.nextStage(),
                        first.isid(),
                        tsih,
                        first.initiatorTaskTag(),
                        statSn++,
                        expCmdSn,
                        expCmdSn + window - 1,
                        text);
        FaultRule delay =
                first == req
                        ? portal.faults().firing(LoginFaultAction.DelayLogin.class, loginContext())
                        : null;
        if (delay != null) {
            long ms = ((LoginFaultAction.DelayLogin) delay.action()).delay().toMillis();
            log.info("login from {}: answering {} ms late ({})", remote(), ms, delay);
            channel.eventLoop()
                    .schedule(() -> answerLogin(resp, reply.complete()), ms, TimeUnit.MILLISECONDS);
            return;
        }
        answerLogin(resp, reply.complete());
    }

    /**
     * ExpCmdSN for a Login Response before the last: a leading login's own CmdSN starts the window;
     * a login that joins a session reports the session's window (RFC 7143 §4.2.2.1), not its own
     * CmdSN, which may be ahead of what the session received.
     */
    private int loginExpCmdSn(LoginRequest first) {
        TargetSession joining = first.tsih() == 0 ? null : portal.sessions().byTsih(first.tsih());
        return joining == null ? first.cmdSn() : joining.sequencer().expCmdSn();
    }

    private void answerLogin(LoginResponse resp, boolean complete) {
        if (!channel.isActive()) {
            resp.release();
            return;
        }
        channel.writeAndFlush(resp);
        if (complete) {
            enterFullFeaturePhase();
        }
    }

    /**
     * A refuse-login fault for this login, checked once the first request named initiator and
     * target.
     */
    private LoginStatus refusedByFault() {
        FaultRule refuse =
                portal.faults().firing(LoginFaultAction.RefuseLogin.class, loginContext());
        if (refuse == null) {
            return null;
        }
        LoginFaultAction.RefuseLogin r = (LoginFaultAction.RefuseLogin) refuse.action();
        log.warn("login from {} ({}) refused by fault {}", remote(), login.initiatorName(), refuse);
        return LoginStatus.of(r.statusClass(), r.statusDetail());
    }

    private FaultContext loginContext() {
        return FaultContext.connection(
                localPortal(),
                login.target() == null ? null : login.target().name(),
                login.initiatorName(),
                -1);
    }

    /** The portal this connection arrived on, "host:port". */
    String localPortal() {
        String p = localPortal;
        if (p == null) {
            SocketAddress a = channel.localAddress();
            p = a instanceof InetSocketAddress i ? FaultScope.portalName(i) : String.valueOf(a);
            localPortal = p;
        }
        return p;
    }

    private TargetSession establish() throws LoginException {
        LoginRequest first = login.first();
        SessionRegistry registry = portal.sessions();
        registry.endSessionsClosedByPeer();
        if (first.tsih() != 0) {
            return joinSession(first, registry);
        }
        String targetName = login.discovery() ? null : login.target().name();
        TargetSession old =
                registry.find(login.initiatorName(), first.isid(), targetName, portalGroupTag);
        if (old != null) {
            // RFC 7143 §6.3.5: a new login with the same ISID reinstates (replaces) the session
            log.info(
                    "session reinstatement: {} ISID {} replaces TSIH {}",
                    login.initiatorName(),
                    Long.toHexString(first.isid()),
                    old.tsih());
            old.reinstated();
        }
        int tsih = registry.allocateTsih();
        SessionParameters params = login.parameters();
        TargetSession s =
                new TargetSession(
                        this,
                        portal,
                        login.target(),
                        tsih,
                        first.isid(),
                        login.initiatorName(),
                        params,
                        first.cmdSn());
        int max = portal.settings().limits().maxSessions();
        if (!registry.addWithin(s, max)) {
            // RFC 7143 §11.13.5: status class 3 (target error), detail 02 "out of resources"
            throw new LoginException(
                    LoginStatus.OUT_OF_RESOURCES,
                    "the target's limit of " + max + " sessions is reached");
        }
        enterSession(s, first.cid(), params);
        joinExpCmdSn = s.join(this, first.cmdSn(), first.expStatSn());
        if (login.target() != null) {
            login.target().attach(s);
        }
        portal.events()
                .login(
                        login.initiatorName(),
                        tsih,
                        "SUCCESS",
                        login.discovery() ? "discovery" : targetName);
        log.info(
                "login: {} ({}) -> {} TSIH {} from {}",
                login.initiatorName(),
                login.discovery() ? "discovery" : "normal",
                targetName == null ? "-" : targetName,
                tsih,
                remote());
        return s;
    }

    /**
     * A login with the TSIH of a live session adds a connection to it, or with the CID of one of
     * its connections reinstates that connection (RFC 7143 §6.3.4); the session must belong to the
     * same initiator port and target port (§11.12.6: otherwise "session does not exist").
     */
    private TargetSession joinSession(LoginRequest first, SessionRegistry registry)
            throws LoginException {
        String targetName = login.discovery() ? null : login.target().name();
        TargetSession s = registry.byTsih(first.tsih());
        if (s == null
                || !s.identifiedBy(
                        login.initiatorName(), first.isid(), targetName, portalGroupTag)) {
            throw new LoginException(
                    LoginStatus.SESSION_DOES_NOT_EXIST,
                    "no session with TSIH " + first.tsih() + " for this initiator");
        }
        enterSession(s, first.cid(), s.parameters().withConnectionKeys(login.parameters()));
        // throws when the session ended or has MaxConnections already
        joinExpCmdSn = s.join(this, first.cmdSn(), first.expStatSn());
        portal.events()
                .login(
                        login.initiatorName(),
                        s.tsih(),
                        "SUCCESS",
                        "connection CID " + first.cid() + " to " + targetName);
        log.info(
                "login: {} adds connection CID {} to TSIH {} from {}",
                login.initiatorName(),
                first.cid(),
                s.tsih(),
                remote());
        return s;
    }

    private void enterFullFeaturePhase() {
        loginTimer.cancel(false);
        fsm.moveTo(ConnectionState.LOGGED_IN);
        // digests start with the first PDU after the final Login Response (RFC 7143 §13.1)
        digests.enableDigests(params.headerDigest(), params.dataDigest());
        digests.setMaxRecvDataSegmentLength(params.maxRecvDataSegmentLength());
        digests.discardHeaderDigestErrors(params.errorRecoveryLevel() >= 1);
        session.start(this);
    }

    /** RFC 7143 §11.13.5: a Status-Class 1 answer naming where to log in instead; then closes. */
    private void redirectLogin(LoginRequest req, LoginFaultAction.Redirect r) {
        String why = (r.permanent() ? "moved permanently" : "moved temporarily") + " to ";
        log.info(
                "login from {} ({}): target {}{}",
                remote(),
                login.initiatorName(),
                why,
                r.targetAddress());
        portal.events().login(login.initiatorName(), -1, "REDIRECTED", why + r.targetAddress());
        LoginRequest first = login.first();
        ByteBuf text =
                Unpooled.wrappedBuffer(
                        TextParameters.encode(
                                List.of(Map.entry(Keys.TARGET_ADDRESS, r.targetAddress()))));
        channel.writeAndFlush(
                        LoginResponse.redirected(
                                req.currentStage(),
                                first.isid(),
                                req.initiatorTaskTag(),
                                statSn++,
                                first.cmdSn(),
                                r.permanent(),
                                text))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void failLogin(LoginRequest req, LoginStatus status) {
        LoginRequest first = login.first() != null ? login.first() : req;
        LoginResponse resp =
                LoginResponse.refused(
                        req.currentStage(),
                        first.isid(),
                        req.initiatorTaskTag(),
                        statSn++,
                        first.cmdSn(),
                        status.statusClass(),
                        status.detail());
        channel.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }

    /** StatSN for a status-carrying PDU; advances it (RFC 7143 §4.2.2.2). */
    int nextStatSn() {
        return statSn++;
    }

    /** StatSN for a PDU that carries but does not consume it (R2T, unsolicited NOP-In). */
    int currentStatSn() {
        return statSn;
    }

    int nextTargetTransferTag() {
        int t = nextTtt++;
        if (nextTtt == Pdu.RESERVED_TAG) {
            nextTtt = 1;
        }
        return t;
    }

    /** Writes a PDU; a frozen connection's gate holds it until the thaw. */
    void send(Pdu pdu) {
        if (log.isTraceEnabled()) {
            log.trace("{} -> {}", remote(), pdu);
        }
        if (retained != null) {
            retained.sent(pdu);
        }
        channel.write(
                pdu, channel.voidPromise()); // failures reach exceptionCaught; no promise per PDU
        unflushed = true;
    }

    /** Sends a PDU whose data goes from a file; never while frozen (held PDUs keep their bytes). */
    void send(FileSegmentPdu pdu) {
        if (gate.frozen()) {
            pdu.release();
            throw new IllegalStateException(
                    "a frozen connection holds PDUs with their data in memory");
        }
        if (log.isTraceEnabled()) {
            log.trace("{} -> {} (data from a file)", remote(), pdu.pdu());
        }
        channel.write(pdu, channel.voidPromise());
        unflushed = true;
    }

    void sendAndFlush(Pdu pdu) {
        send(pdu);
        flush();
    }

    void flush() {
        unflushed = false;
        channel.flush();
    }

    /** Flushes what was written since the last flush, if anything. */
    void flushIfNeeded() {
        if (unflushed) {
            flush();
        }
    }

    boolean frozen() {
        return gate.frozen();
    }

    /**
     * Freeze fault: stop reading and answering, keep the connection open (see {@link
     * ConnectionFaultGate}).
     */
    void freeze() {
        onOwnLoop(gate::freeze);
    }

    /** The freeze is lifted: what was held goes out, reading resumes on the same connection. */
    void thaw() {
        onOwnLoop(gate::thaw);
    }

    /** Drop fault: close with a FIN, or abort with a RST (SO_LINGER 0) so no FIN is sent. */
    void drop(boolean fin) {
        droppedByTarget = true;
        onOwnLoop(
                () -> {
                    if (!fin) {
                        channel.config().setOption(ChannelOption.SO_LINGER, 0);
                    }
                    channel.close();
                });
    }

    /** The target ends the connection on its own (an unanswered NOP-In, for one). */
    void dropByTarget() {
        droppedByTarget = true;
        close();
    }

    /** Closes the connection after an AsyncEvent 2 on it announced that (RFC 7143 §11.9.1). */
    void dropAfterNotice() {
        droppedByTarget = true;
        dropAnnounced = true;
        close();
    }

    private void onOwnLoop(Runnable r) {
        if (channel.eventLoop().inEventLoop()) {
            r.run();
        } else {
            channel.eventLoop().execute(r);
        }
    }

    void closeAfter(Pdu pdu) {
        channel.writeAndFlush(pdu).addListener(ChannelFutureListener.CLOSE);
        onOwnLoop(
                () -> {
                    if (fsm.state() == ConnectionState.LOGGED_IN) {
                        fsm.moveTo(ConnectionState.IN_LOGOUT);
                    }
                });
    }

    void close() {
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // The flush consolidation handler ahead of us has just flushed what was flushed during the
        // read; a flush now, with no read in progress, would only schedule another task for
        // nothing.
        if (unflushed) {
            flush();
        }
        LogContext.clear(); // the end of the read burst the PDUs' context was set for
        ctx.fireChannelReadComplete();
    }

    /**
     * The idle timer ({@link TargetLimits#idleTimeout()}) fired: nothing arrived for that long. A
     * connection still logging in or serving a discovery session is closed; a normal session is
     * left to the NOP-In ping, which tells a quiet initiator from a dead one.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            LogContext.enter(logConnection, session == null ? null : session.logTag());
            if (fsm.state() != ConnectionState.LOGGED_IN
                    || session == null
                    || session.discovery()) {
                log.info(
                        "closing connection from {}: idle for {} s ({})",
                        remote(),
                        portal.settings().limits().idleTimeout().toSeconds(),
                        session == null ? "no login" : "discovery session");
                portal.metrics().connectionDropped("idle");
                ctx.close();
            }
            LogContext.clear();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        portal.metrics().connectionClosed();
        if (loginTimer != null) {
            loginTimer.cancel(false);
        }
        if (frozenLogin != null) {
            portal.frozenLogins().remove(this);
            frozenLogin.release();
            frozenLogin = null;
        }
        fsm.moveTo(ConnectionState.FREE);
        if (session != null) {
            session.connectionClosed(this);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LogContext.enter(logConnection, session == null ? null : session.logTag());
        try {
            logAndClose(ctx, cause);
        } finally {
            LogContext.clear();
        }
    }

    private void logAndClose(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c =
                cause instanceof DecoderException
                                && cause.getCause() != null
                                && !(cause instanceof PduFramingException)
                        ? cause.getCause()
                        : cause;
        if (c instanceof PduFramingException) {
            droppedByTarget = true;
            log.warn("dropping connection from {}: {}", remote(), c.getMessage());
        } else if (c instanceof IOException) {
            log.debug("connection from {}: {}", remote(), c.toString());
        } else {
            droppedByTarget = true;
            log.error("dropping connection from {} after an internal error", remote(), c);
        }
        ctx.close();
    }
}
