package org.iscsilab.iscsi.initiator;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
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

    /**
     * Connects and logs in; the future fails with {@link LoginRefusedException} on a refused login.
     */
    public CompletableFuture<InitiatorSession> login(
            InetSocketAddress target, InitiatorConfig config) {
        if (group.isShuttingDown()) {
            // a session still recovering when its initiator closed: no event loop to connect on
            return CompletableFuture.failedFuture(
                    new IscsiInitiatorException("the initiator is closed"));
        }
        DigestSettings digests = new DigestSettings(config.maxRecvDataSegmentLength());
        InitiatorSession session = new InitiatorSession(config, digests);
        Bootstrap b =
                new Bootstrap()
                        .group(group)
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
                                                        session.handler());
                                    }
                                });
        b.connect(target)
                .addListener(
                        f -> {
                            if (!f.isSuccess()) {
                                session.loginFuture()
                                        .completeExceptionally(
                                                new IscsiInitiatorException(
                                                        "cannot connect to "
                                                                + target
                                                                + ": "
                                                                + f.cause().getMessage(),
                                                        f.cause()));
                            }
                        });
        return session.loginFuture()
                .orTimeout(config.loginTimeout().toMillis(), TimeUnit.MILLISECONDS);
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
