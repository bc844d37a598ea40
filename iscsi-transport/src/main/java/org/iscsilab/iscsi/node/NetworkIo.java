package org.iscsilab.iscsi.node;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Locale;

/**
 * How the target's event loops wait for the network: the Linux interface they use (epoll, io_uring,
 * or Java NIO where neither is available), how many loops serve connections, and whether they poll.
 *
 * <p>A polling loop never sleeps: it asks epoll for ready sockets without a timeout, over and over,
 * so a PDU is read the moment it arrives instead of after a wake-up (SPDK's reactors work this
 * way). It buys latency at low queue depth and costs a whole core per loop, busy or idle; the
 * kernel's socket busy-poll does nothing on loopback, so this is done in the loop itself. Each turn
 * asks for ready sockets without waiting, then runs the loop's tasks and due timers, so work handed
 * over by other threads and timers are never held up (Netty's own BUSY_WAIT spins inside the native
 * call and would leave them waiting for the next packet). io_uring's loop takes no select strategy,
 * so polling needs epoll or NIO.
 *
 * @param transport the interface, {@link Transport#AUTO} for the measured default
 * @param poll whether the loops spin
 * @param eventLoops loops that serve connections; 0 for the default (2 per core, 1 when polling)
 */
public record NetworkIo(Transport transport, boolean poll, int eventLoops) {
    /** The Linux interfaces an event loop can wait on. */
    public enum Transport {
        /** epoll where the native library loads, else NIO (the measured default). */
        AUTO,
        EPOLL,
        IO_URING,
        NIO;

        /** The option's spelling: auto, epoll, io_uring, nio. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Transport parse(String text) {
            for (Transport t : values()) {
                if (t.label().equals(text.toLowerCase(Locale.ROOT).replace('-', '_'))) {
                    return t;
                }
            }
            throw new IllegalArgumentException(
                    "unknown I/O transport '" + text + "'; use auto, epoll, io_uring or nio");
        }
    }

    /** The default: epoll where available, sleeping loops, two per core. */
    public static final NetworkIo DEFAULT = new NetworkIo(Transport.AUTO, false, 0);

    public NetworkIo {
        if (transport == null) {
            throw new IllegalArgumentException("an I/O transport is needed");
        }
        if (eventLoops < 0 || eventLoops > 256) {
            throw new IllegalArgumentException(
                    "event loops must be 0 (the default) to 256, not " + eventLoops);
        }
        if (poll && transport == Transport.IO_URING) {
            throw new IllegalArgumentException(
                    "polling needs the epoll or nio transport: io_uring's loop always waits");
        }
    }

    /**
     * The transport this machine gives for the choice: AUTO becomes epoll or NIO; an explicit
     * choice that cannot load is refused with the native library's reason (the kernel may lack it,
     * or a container's seccomp profile or kernel.io_uring_disabled may forbid it).
     */
    public Transport resolved() {
        return switch (transport) {
            case AUTO -> Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO;
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw unavailable("epoll", Epoll.unavailabilityCause());
                }
                yield Transport.EPOLL;
            }
            case IO_URING -> {
                if (!IoUring.isAvailable()) {
                    throw unavailable("io_uring", IoUring.unavailabilityCause());
                }
                yield Transport.IO_URING;
            }
            case NIO -> Transport.NIO;
        };
    }

    private static IllegalArgumentException unavailable(String what, Throwable cause) {
        return new IllegalArgumentException(
                what
                        + " is not available here: "
                        + (cause == null ? "unknown reason" : cause.getMessage()),
                cause);
    }

    /** The loops that serve connections: as given, else 2 per core, or 1 when polling. */
    public int connectionLoops() {
        if (eventLoops > 0) {
            return eventLoops;
        }
        return poll ? 1 : 2 * Runtime.getRuntime().availableProcessors();
    }

    /** Handlers for the loops that serve connections (polling when asked). */
    IoHandlerFactory connectionHandlers() {
        Transport t = resolved();
        if (!poll) {
            return handlers(t);
        }
        // a strategy that never answers SELECT: the loop never blocks in epoll_wait/select
        SelectStrategyFactory neverBlock = () -> (readyNow, hasTasks) -> readyNow.get();
        return t == Transport.EPOLL
                ? EpollIoHandler.newFactory(0, neverBlock)
                : NioIoHandler.newFactory(SelectorProvider.provider(), neverBlock);
    }

    /** Handlers for the accepting loop, which never polls. */
    IoHandlerFactory acceptHandlers() {
        return handlers(resolved());
    }

    private static IoHandlerFactory handlers(Transport t) {
        return switch (t) {
            case EPOLL -> EpollIoHandler.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
    }

    Class<? extends ServerSocketChannel> serverChannel() {
        return switch (resolved()) {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            default -> NioServerSocketChannel.class;
        };
    }

    /** A line for the log: "epoll, 4 loops" or "epoll, 1 polling loop". */
    public String describe() {
        int n = connectionLoops();
        return resolved().label()
                + ", "
                + n
                + (poll ? " polling" : "")
                + (n == 1 ? " loop" : " loops");
    }
}
