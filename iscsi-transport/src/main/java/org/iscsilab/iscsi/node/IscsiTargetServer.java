package org.iscsilab.iscsi.node;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.core.fault.FaultRules;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.iscsi.codec.DigestSettings;
import org.iscsilab.iscsi.codec.PduDecoder;
import org.iscsilab.iscsi.codec.PduEncoder;
import org.iscsilab.iscsi.fault.IscsiFaultActions;
import org.iscsilab.iscsi.login.ChapRequirement;
import org.iscsilab.iscsi.metrics.TargetMetrics;
import org.iscsilab.iscsi.pdu.AsyncMessage;
import org.slf4j.Logger;

/**
 * The iSCSI target server: listens on one or more portals, each in a portal group whose tag
 * identifies the target port a connection arrives at (RFC 7143 §4.4.1, §13.9), serves the
 * configured targets, and shuts down by asking initiators to log out (RFC 7143 §11.9.1 AsyncEvent
 * 1) before closing connections.
 */
public final class IscsiTargetServer implements TargetPortal, AutoCloseable {
    private static final Logger log = TargetLog.get(IscsiTargetServer.class);
    public static final int DEFAULT_PORT = 3260;

    private final TargetSettings settings;
    private final List<InetSocketAddress> portals;
    private final List<InetSocketAddress> advertised;
    private InetSocketAddress failedPortal;
    private final TargetMetrics metrics;
    private final Set<TargetConnection> frozenLogins = ConcurrentHashMap.newKeySet();
    private final ConnectionAdmission admission;

    /** The portal group tag of each portal, in portal order. */
    private final List<Integer> portalTags;

    /** Given to each accepted connection: the tag of the portal that accepted it. */
    private static final AttributeKey<Integer> PORTAL_GROUP_TAG =
            AttributeKey.valueOf("iscsilab.portalGroupTag");

    private final Map<String, IscsiTarget> targets = new ConcurrentHashMap<>();
    private final SessionRegistry sessions = new SessionRegistry();
    private final EventLog events = new EventLog();
    private final FaultRules faults = new FaultRules(events, IscsiFaultActions.ALL_LAYERS);
    private final List<Channel> listeners = new ArrayList<>();
    private final List<InetSocketAddress> bound = new ArrayList<>();
    private volatile ChapRequirement discoveryChap = ChapRequirement.NONE;
    private EventLoopGroup boss;
    private EventLoopGroup workers;

    /** A server whose meters go to a registry of its own (read through {@link #metrics}). */
    public IscsiTargetServer(
            TargetSettings settings,
            List<InetSocketAddress> portals,
            List<InetSocketAddress> advertised,
            int portalGroupTag) {
        this(settings, portals, advertised, portalGroupTag, new SimpleMeterRegistry());
    }

    public IscsiTargetServer(
            TargetSettings settings,
            List<InetSocketAddress> portals,
            List<InetSocketAddress> advertised,
            int portalGroupTag,
            MeterRegistry registry) {
        this(
                settings,
                portals,
                advertised,
                Collections.nCopies(portals.size(), portalGroupTag),
                registry);
    }

    /**
     * A server whose portals belong to the portal groups {@code portalTags} names, one tag per
     * portal (1 to 65535, RFC 7143 §13.9); {@code advertised} matches the portals one to one, or is
     * empty.
     */
    public IscsiTargetServer(
            TargetSettings settings,
            List<InetSocketAddress> portals,
            List<InetSocketAddress> advertised,
            List<Integer> portalTags,
            MeterRegistry registry) {
        if (portals.isEmpty()) {
            throw new IllegalArgumentException("at least one portal is needed");
        }
        if (portalTags.size() != portals.size()) {
            throw new IllegalArgumentException("one portal group tag per portal");
        }
        for (int tag : portalTags) {
            if (tag < 1 || tag > 0xFFFF) {
                throw new IllegalArgumentException(
                        "portal group tag " + tag + " is not between 1 and 65535");
            }
        }
        this.settings = settings;
        this.portals = List.copyOf(portals);
        this.advertised = List.copyOf(advertised);
        this.portalTags = List.copyOf(portalTags);
        this.metrics = new TargetMetrics(registry);
        this.admission = new ConnectionAdmission(settings.limits().maxTcpConnections(), metrics);
        // connection faults act at once on the sessions they match (freeze, thaw, drop, async)
        events.addListener(
                metrics::onEvent,
                EventLog.Type.LOGIN,
                EventLog.Type.TASK_MANAGEMENT,
                EventLog.Type.FAULT,
                EventLog.Type.ALUA);
        metrics.bindSessions(() -> sessions.all().size());
        faults.onChange(
                added -> {
                    sessions.all().forEach(s -> s.applyFaults(added));
                    frozenLogins.forEach(TargetConnection::retryFrozenLogin);
                });
    }

    public void addTarget(IscsiTarget target) {
        if (targets.putIfAbsent(target.name(), target) != null) {
            throw new IllegalArgumentException("target " + target.name() + " already exists");
        }
    }

    /** Binds every portal; returns the bound addresses (useful with port 0). */
    public synchronized List<InetSocketAddress> start() throws InterruptedException {
        NetworkIo io = settings.networkIo();
        Class<? extends ServerSocketChannel> type = io.serverChannel();
        boss = new MultiThreadIoEventLoopGroup(1, io.acceptHandlers());
        workers = new MultiThreadIoEventLoopGroup(io.connectionLoops(), io.connectionHandlers());
        ServerBootstrap b =
                new ServerBootstrap()
                        .group(boss, workers)
                        .channel(type)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .option(ChannelOption.SO_BACKLOG, 256)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                        .childHandler(
                                new ChannelInitializer<SocketChannel>() {
                                    @Override
                                    protected void initChannel(SocketChannel ch) {
                                        if (!admission.admit(ch)) {
                                            return;
                                        }
                                        Duration idle = settings.limits().idleTimeout();
                                        if (!idle.isZero()) {
                                            ch.pipeline()
                                                    .addLast(
                                                            "idle",
                                                            new IdleStateHandler(
                                                                    idle.toMillis(),
                                                                    0,
                                                                    0,
                                                                    TimeUnit.MILLISECONDS));
                                        }
                                        DigestSettings digests = new DigestSettings(8192);
                                        // Flushes once per read burst, or earlier when 64 KiB
                                        // wait (Netty's default high write-buffer mark turns the
                                        // channel unwritable, and this handler flushes then): the
                                        // initiator gets its first responses while the rest of a
                                        // burst is processed. Raising the mark cost 4 KiB reads at
                                        // depth 32 about 10% of their IOPS.
                                        ch.pipeline()
                                                .addLast(
                                                        "flush",
                                                        new FlushConsolidationHandler(64, true));
                                        ch.pipeline().addLast("decoder", new PduDecoder(digests));
                                        ch.pipeline().addLast("encoder", new PduEncoder(digests));
                                        ch.pipeline()
                                                .addLast(
                                                        "faults", new ConnectionFaultGate(digests));
                                        ch.pipeline()
                                                .addLast(
                                                        "connection",
                                                        new TargetConnection(
                                                                IscsiTargetServer.this,
                                                                digests,
                                                                ch.attr(PORTAL_GROUP_TAG).get()));
                                    }
                                });
        try {
            for (int i = 0; i < portals.size(); i++) {
                InetSocketAddress portal = portals.get(i);
                failedPortal = portal;
                Channel ch =
                        b.clone()
                                .childAttr(PORTAL_GROUP_TAG, portalTags.get(i))
                                .bind(portal)
                                .sync()
                                .channel();
                failedPortal = null;
                listeners.add(ch);
                bound.add((InetSocketAddress) ch.localAddress());
                log.debug("listening on {} ({})", ch.localAddress(), io.describe());
            }
        } catch (Exception e) {
            close();
            throw e;
        }
        return List.copyOf(bound);
    }

    /** The portal whose bind failed in {@link #start}, or null. */
    public synchronized InetSocketAddress failedPortal() {
        return failedPortal;
    }

    public List<InetSocketAddress> boundAddresses() {
        return List.copyOf(bound);
    }

    @Override
    public TargetSettings settings() {
        return settings;
    }

    /** The tags of the server's portal groups, each once, in portal order. */
    public List<Integer> portalGroupTags() {
        return portalTags.stream().distinct().toList();
    }

    @Override
    public IscsiTarget target(String name) {
        return targets.get(name);
    }

    @Override
    public List<IscsiTarget> targets() {
        return List.copyOf(targets.values());
    }

    @Override
    public List<String> targetAddresses() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < bound.size(); i++) {
            for (InetSocketAddress a : reachable(i)) {
                String host = a.getHostString();
                if (host.contains(":")) {
                    host = "[" + host + "]"; // RFC 7143 §13.8: IPv6 in brackets
                }
                String address = host + ":" + a.getPort() + "," + portalTags.get(i);
                if (!out.contains(address)) {
                    out.add(address);
                }
            }
        }
        return out;
    }

    /**
     * The addresses SendTargets reports, in portal order: each portal's advertised address, or the
     * address it is bound to; port 0 takes the port the matching portal is bound to, and a wildcard
     * address becomes the host's interface addresses.
     */
    public List<InetSocketAddress> reachableAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (int i = 0; i < bound.size(); i++) {
            for (InetSocketAddress r : reachable(i)) {
                add(out, r);
            }
        }
        return out;
    }

    /** Where portal {@code i} is reached: its advertised address, or where it is bound. */
    private List<InetSocketAddress> reachable(int i) {
        InetSocketAddress at = bound.get(i);
        InetSocketAddress configured = portals.get(Math.min(i, portals.size() - 1));
        if (!advertised.isEmpty()) {
            InetSocketAddress a = advertised.get(Math.min(i, advertised.size() - 1));
            // port 0 advertises the port the matching portal is bound to (an ephemeral one, say)
            int port = a.getPort() == 0 ? at.getPort() : a.getPort();
            if (!isWildcard(a.getHostString())) {
                return List.of(InetSocketAddress.createUnresolved(a.getHostString(), port));
            }
            at = new InetSocketAddress(at.getAddress(), port);
        }
        return WildcardPortal.reachable(configured, at);
    }

    private static void add(List<InetSocketAddress> out, InetSocketAddress a) {
        if (!out.contains(a)) {
            out.add(a);
        }
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    /**
     * Meters of commands, data, sessions, connections, logins and faults (in the registry the
     * server was given).
     */
    @Override
    public TargetMetrics metrics() {
        return metrics;
    }

    @Override
    public Set<TargetConnection> frozenLogins() {
        return frozenLogins;
    }

    /**
     * Requires CHAP of discovery sessions ({@link ChapRequirement#NONE} turns it off). Sessions
     * already logged in are not affected.
     */
    public void requireDiscoveryChap(ChapRequirement requirement) {
        discoveryChap = requirement;
    }

    @Override
    public ChapRequirement discoveryChap() {
        return discoveryChap;
    }

    /** Fault rules, changeable while initiators are attached. */
    @Override
    public FaultRules faults() {
        return faults;
    }

    /** Logins, logouts, commands, task management and faults fired, newest last. */
    @Override
    public EventLog events() {
        return events;
    }

    @Override
    public SessionRegistry sessions() {
        return sessions;
    }

    /**
     * Asks every initiator to log out, waits up to {@code grace} for them, then closes all
     * connections and listeners. Logical units are closed by their owner afterwards.
     */
    public void shutdown(Duration grace) {
        List<TargetSession> live = sessions.all();
        for (TargetSession s : live) {
            s.requestLogout((int) Math.max(1, grace.toSeconds()));
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (!sessions.all().isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
    }

    @Override
    public synchronized void close() {
        for (Channel ch : listeners) {
            ch.close().syncUninterruptibly();
        }
        listeners.clear();
        sessions.all().forEach(TargetSession::endForShutdown);
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    static AsyncMessage logoutRequest(int statSn, int expCmdSn, int maxCmdSn, int seconds) {
        // RFC 7143 §11.9.1 AsyncEvent 1: Parameter3 is the time to wait for the logout
        return AsyncMessage.event(
                AsyncMessage.LOGOUT_REQUESTED, 0, 0, seconds, statSn, expCmdSn, maxCmdSn);
    }
}
