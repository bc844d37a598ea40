package org.iscsilab.server.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.iscsilab.core.log.TargetLog;
import org.slf4j.Logger;

/**
 * The admin HTTP endpoint (Netty's HTTP codec) serving {@link AdminApi}. Bound to loopback by
 * default: it changes the target, so it is not for open networks.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = TargetLog.get(AdminServer.class);

    /** Request bodies are small JSON objects. */
    private static final int MAX_BODY = 64 * 1024;

    private final AdminApi api;
    private EventLoopGroup group;
    private Channel listener;

    public AdminServer(AdminApi api) {
        this.api = api;
    }

    public synchronized InetSocketAddress start(InetSocketAddress address)
            throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        listener =
                new ServerBootstrap()
                        .group(group)
                        .channel(NioServerSocketChannel.class)
                        .childHandler(
                                new ChannelInitializer<SocketChannel>() {
                                    @Override
                                    protected void initChannel(SocketChannel ch) {
                                        ch.pipeline()
                                                .addLast(
                                                        new HttpServerCodec(),
                                                        new HttpObjectAggregator(MAX_BODY),
                                                        new Handler());
                                    }
                                })
                        .bind(address)
                        .sync()
                        .channel();
        InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
        log.info("admin API on http://{}:{}/api/v1/", bound.getHostString(), bound.getPort());
        return bound;
    }

    @Override
    public synchronized void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            listener = null;
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            AdminApi.Response r;
            if (!req.decoderResult().isSuccess()) {
                r =
                        new AdminApi.Response(
                                400, "{\"error\":\"malformed HTTP request\",\"status\":400}\n");
            } else {
                QueryStringDecoder uri = new QueryStringDecoder(req.uri());
                r =
                        api.handle(
                                req.method().name(),
                                uri.path(),
                                uri.parameters(),
                                req.content().toString(StandardCharsets.UTF_8));
            }
            FullHttpResponse resp =
                    new DefaultFullHttpResponse(
                            HttpVersion.HTTP_1_1,
                            HttpResponseStatus.valueOf(r.status()),
                            Unpooled.copiedBuffer(r.body(), StandardCharsets.UTF_8));
            if (!r.body().isEmpty()) {
                resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
            }
            HttpUtil.setContentLength(resp, resp.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(resp, keepAlive);
            var f = ctx.writeAndFlush(resp);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("admin connection: {}", cause.toString());
            ctx.close();
        }
    }
}
