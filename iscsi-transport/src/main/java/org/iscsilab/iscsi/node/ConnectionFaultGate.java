package org.iscsilab.iscsi.node;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.iscsi.codec.DataDigestError;
import org.iscsilab.iscsi.codec.DigestSettings;
import org.iscsilab.iscsi.codec.FileSegmentPdu;
import org.iscsilab.iscsi.codec.PduEncoder;
import org.iscsilab.iscsi.codec.SpoiledDataDigest;
import org.iscsilab.iscsi.fault.ConnectionFaultAction;
import org.iscsilab.iscsi.pdu.Pdu;
import org.slf4j.Logger;

/**
 * Carries out the freeze and drop faults on a logged-in connection, between the PDU codec and the
 * connection's protocol handler. Frozen, it stops reading, holds the PDUs already decoded and every
 * PDU the target writes, and ignores flushes, keeping the connection open: to the initiator the
 * target went silent. Thawed, it sends what it held, hands on what it had read and reads again. A
 * drop rule firing on a received PDU closes the connection (FIN or RST) and the PDU goes no
 * further. Event loop only.
 */
final class ConnectionFaultGate extends ChannelDuplexHandler {
    private static final Logger log = TargetLog.get(ConnectionFaultGate.class);

    private record Held(Object msg, ChannelPromise promise) {}

    private final ArrayDeque<Object> heldInbound = new ArrayDeque<>();
    private final ArrayDeque<Held> heldOutbound = new ArrayDeque<>();
    private ChannelHandlerContext ctx;

    /** Whether data digests are on, for the digest faults. */
    private final DigestSettings digests;

    ConnectionFaultGate(DigestSettings digests) {
        this.digests = digests;
    }

    /** The session's fault rules once the login is over; before that nothing is gated here. */
    private ConnectionFaults faults;

    /** Read by the session's event loop too, which may not be this connection's. */
    private volatile boolean frozen;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** The logged-in session whose connection fault rules apply from now on. */
    void attach(ConnectionFaults connectionFaults) {
        this.faults = connectionFaults;
    }

    boolean frozen() {
        return frozen;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!frozen && faults != null && faults.freezeActive()) {
            freeze(); // read before the freeze took hold: kept unprocessed until the thaw
        }
        if (frozen) {
            heldInbound.add(msg);
            return;
        }
        if (faults != null && faults.dropFired()) {
            discard(msg);
            return;
        }
        if (faults != null && msg instanceof Pdu pdu) {
            ConnectionFaultAction a =
                    faults.pduFault(ConnectionFaultAction.Direction.IN, pdu, digests.dataDigest());
            if (a instanceof ConnectionFaultAction.DropPdu) {
                pdu.release(); // lost on the way: nothing acts on it
                return;
            }
            if (a instanceof ConnectionFaultAction.CorruptDigest) {
                // as if its data digest had not matched (RFC 7143 §7.8): the header goes on
                ByteBuf header =
                        PduEncoder.basicHeaderSegment(
                                ctx.alloc(), pdu, pdu.data().readableBytes(), 0);
                pdu.release();
                ctx.fireChannelRead(new DataDigestError(header));
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (faults != null) {
            Pdu pdu = msg instanceof Pdu p ? p : msg instanceof FileSegmentPdu f ? f.pdu() : null;
            ConnectionFaultAction a =
                    pdu == null
                            ? null
                            : faults.pduFault(
                                    ConnectionFaultAction.Direction.OUT,
                                    pdu,
                                    digests.dataDigest() && msg instanceof Pdu);
            if (a instanceof ConnectionFaultAction.DropPdu) {
                discard(msg); // lost on the way to the initiator
                promise.trySuccess();
                return;
            }
            if (a instanceof ConnectionFaultAction.CorruptDigest) {
                msg = new SpoiledDataDigest(pdu);
            }
        }
        if (frozen) {
            heldOutbound.add(new Held(msg, promise));
            return;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (!frozen) {
            ctx.flush();
        }
    }

    /** Freeze fault: stop reading and answering, keep the connection open. */
    void freeze() {
        if (!frozen && ctx.channel().isActive()) {
            frozen = true;
            ctx.channel().config().setAutoRead(false);
            log.info("connection {}: frozen by a fault rule", ctx.channel().remoteAddress());
        }
    }

    /** The freeze is lifted: what was held goes out, what was read is handled, reading resumes. */
    void thaw() {
        if (!frozen) {
            return;
        }
        frozen = false;
        log.info(
                "connection {}: thawed, sending {} held PDUs",
                ctx.channel().remoteAddress(),
                heldOutbound.size());
        while (!heldOutbound.isEmpty()) {
            Held h = heldOutbound.poll();
            ctx.write(h.msg(), h.promise());
        }
        ctx.flush();
        boolean delivered = false;
        while (!heldInbound.isEmpty() && !frozen) {
            channelRead(ctx, heldInbound.poll());
            delivered = true;
        }
        if (delivered) {
            ctx.fireChannelReadComplete(); // what was held is a read burst of its own
        }
        if (!frozen) {
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        }
    }

    /**
     * Lets go of a message that goes no further: a PDU owns its data, which is not a reference
     * counted object Netty knows how to release.
     */
    private static void discard(Object msg) {
        if (msg instanceof DataDigestError err) {
            err.header().release();
        } else if (msg instanceof Pdu pdu) {
            pdu.release();
        } else if (msg instanceof FileSegmentPdu f) {
            f.release();
        } else if (msg instanceof SpoiledDataDigest s) {
            s.pdu().release();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        heldInbound.forEach(ConnectionFaultGate::discard);
        heldInbound.clear();
        heldOutbound.forEach(
                h -> {
                    discard(h.msg());
                    h.promise()
                            .tryFailure(
                                    new IllegalStateException("connection closed while frozen"));
                });
        heldOutbound.clear();
        ctx.fireChannelInactive();
    }
}
