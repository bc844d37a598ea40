package org.iscsilab.iscsi.initiator;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.iscsilab.iscsi.codec.DigestSettings;
import org.iscsilab.iscsi.codec.PduDecoder;
import org.iscsilab.iscsi.codec.PduEncoder;

/**
 * A standalone iSCSI initiator (like libiscsi, without a SCSI mid-layer): logs in, discovers, runs
 * SCSI commands and logs out. One instance owns its event loops; close it when done.
 */
public final class IscsiInitiator implements AutoCloseable {
    private final EventLoopGroup group;
    private final boolean epoll;

    public IscsiInitiator() {
        this(1);
    }

    public IscsiInitiator(int threads) {
        this.epoll = Epoll.isAvailable();
        this.group =
                new MultiThreadIoEventLoopGroup(
                        threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** How many redirections a login follows before it gives up (a loop, say). */
    static final int MAX_REDIRECTS = 4;

    /**
     * Connects and logs in, following a redirection (RFC 7143 §11.13.5: "target moved", with a
     * TargetAddress) to the address it names, up to {@value #MAX_REDIRECTS} times; the future fails
     * with {@link LoginRefusedException} on a refused login.
     */
    public CompletableFuture<InitiatorSession> login(
            InetSocketAddress target, InitiatorConfig config) {
        return login(target, config, MAX_REDIRECTS);
    }

    private CompletableFuture<InitiatorSession> login(
            InetSocketAddress target, InitiatorConfig config, int redirectsLeft) {
        return loginOnce(target, config)
                .exceptionallyCompose(
                        t -> {
                            Throwable cause =
                                    t instanceof CompletionException && t.getCause() != null
                                            ? t.getCause()
                                            : t;
                            if (cause instanceof LoginRefusedException r
                                    && r.statusClass() == 0x01
                                    && r.targetAddress() != null
                                    && redirectsLeft > 0) {
                                InetSocketAddress next = addressOf(r.targetAddress(), target);
                                if (next != null) {
                                    return login(next, config, redirectsLeft - 1);
                                }
                            }
                            return CompletableFuture.failedFuture(cause);
                        });
    }

    /** "host:port[,tpgt]" (IPv6 in brackets) as an address; the port defaults to {@code from}'s. */
    static InetSocketAddress addressOf(String targetAddress, InetSocketAddress from) {
        String a = targetAddress.split(",", 2)[0].trim();
        String host = a;
        int port = from.getPort();
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = a.substring(1, close);
            if (a.length() > close + 2 && a.charAt(close + 1) == ':') {
                port = Integer.parseInt(a.substring(close + 2));
            }
        } else if (a.indexOf(':') > 0 && a.indexOf(':') == a.lastIndexOf(':')) {
            host = a.substring(0, a.indexOf(':'));
            port = Integer.parseInt(a.substring(a.indexOf(':') + 1));
        }
        return new InetSocketAddress(host, port);
    }

    private CompletableFuture<InitiatorSession> loginOnce(
            InetSocketAddress target, InitiatorConfig config) {
        if (group.isShuttingDown()) {
            // a session still recovering when its initiator closed: no event loop to connect on
            return CompletableFuture.failedFuture(
                    new IscsiInitiatorException("the initiator is closed"));
        }
        InitiatorSession session = new InitiatorSession(target, config, this::connect);
        InitiatorConnection leading = session.leadingConnection();
        connect(leading, null);
        leading.loginFuture()
                .whenComplete(
                        (c, e) -> {
                            if (e != null) {
                                session.loginFuture()
                                        .completeExceptionally(
                                                e instanceof CompletionException
                                                                && e.getCause() != null
                                                        ? e.getCause()
                                                        : e);
                            }
                        });
        return session.loginFuture()
                .orTimeout(config.loginTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Opens a connection of a session to the portal the session's leading connection went to;
     * {@code loop} null for the leading connection, whose event loop the group picks.
     */
    private void connect(InitiatorConnection connection, EventLoop loop) {
        InitiatorConfig config = connection.config();
        InetSocketAddress target = connection.session().portal();
        DigestSettings digests = connection.digests();
        Bootstrap b =
                new Bootstrap()
                        .group(loop == null ? group : loop)
                        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                        .option(
                                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                                (int) config.loginTimeout().toMillis())
                        .handler(
                                new ChannelInitializer<SocketChannel>() {
                                    @Override
                                    protected void initChannel(SocketChannel ch) {
                                        ch.pipeline()
                                                .addLast(
                                                        new PduDecoder(digests),
                                                        new PduEncoder(digests),
                                                        connection.handler());
                                    }
                                });
        b.connect(target)
                .addListener(
                        f -> {
                            if (!f.isSuccess()) {
                                connection
                                        .loginFuture()
                                        .completeExceptionally(
                                                new IscsiInitiatorException(
                                                        "cannot connect to "
                                                                + target
                                                                + ": "
                                                                + f.cause().getMessage(),
                                                        f.cause()));
                            }
                        });
    }

    /** Logs in to a discovery session, asks SendTargets=All and logs out. */
    public List<DiscoveredTarget> discover(InetSocketAddress portal, String initiatorName) {
        InitiatorSession s =
                login(portal, InitiatorConfig.discovery().withInitiatorName(initiatorName)).join();
        try {
            return s.sendTargets("All").join();
        } finally {
            s.logout().join();
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
