package org.iscsilab.iscsi.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.metrics.TargetMetrics;
import org.iscsilab.iscsi.pdu.NopIn;
import org.iscsilab.iscsi.pdu.NopOut;
import org.iscsilab.iscsi.pdu.Pdu;
import org.slf4j.Logger;

/**
 * NOP-Out and NOP-In both ways (RFC 7143 §11.18, §11.19): answers the initiator's pings with their
 * data, and pings the initiator every NOP-In interval, dropping the connection when a ping goes
 * unanswered past the timeout. Runs on the session's event loop.
 */
final class NopExchange {
    private static final Logger log = TargetLog.get(NopExchange.class);

    private final TargetSession session;
    private final TargetConnection conn;
    private final CommandSequencer sequencer;
    private final SessionParameters params;
    private final Duration timeout;
    private final TargetMetrics metrics;
    private ScheduledFuture<?> pinger;

    /** The target transfer tag of the ping awaiting its answer, or the reserved tag. */
    private int pingTtt = Pdu.RESERVED_TAG;

    private long pingSentNanos;

    NopExchange(
            TargetSession session,
            TargetConnection conn,
            CommandSequencer sequencer,
            SessionParameters params,
            Duration timeout,
            TargetMetrics metrics) {
        this.session = session;
        this.conn = conn;
        this.sequencer = sequencer;
        this.params = params;
        this.timeout = timeout;
        this.metrics = metrics;
    }

    /** Starts pinging every {@code interval}; zero pings never. */
    void start(Duration interval) {
        long ms = interval.toMillis();
        if (ms > 0) {
            pinger = session.loop().scheduleAtFixedRate(this::ping, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    void stop() {
        if (pinger != null) {
            pinger.cancel(false);
        }
    }

    /**
     * A NOP-Out: the answer to our ping, or a ping of the initiator's to echo (in CmdSN order
     * unless immediate).
     */
    void onNopOut(NopOut n) {
        if (n.initiatorTaskTag() == Pdu.RESERVED_TAG) {
            if (n.targetTransferTag() != Pdu.RESERVED_TAG && n.targetTransferTag() == pingTtt) {
                pingTtt = Pdu.RESERVED_TAG; // the answer to our ping
            }
            n.release();
            return;
        }
        if (conn.faults().ignoresNops()) {
            log.debug(
                    "session {}: NOP-Out ITT 0x{} left unanswered by a fault rule",
                    session.tsih(),
                    Integer.toHexString(n.initiatorTaskTag()));
            n.release();
            return;
        }
        Runnable reply =
                () -> {
                    ByteBuf echo = n.data();
                    int max = params.peerMaxRecvDataSegmentLength();
                    if (echo.readableBytes() > max) {
                        echo = echo.slice(echo.readerIndex(), max);
                    }
                    conn.sendAndFlush(
                            new NopIn(
                                    n.lun(),
                                    n.initiatorTaskTag(),
                                    Pdu.RESERVED_TAG,
                                    conn.nextStatSn(),
                                    sequencer.expCmdSn(),
                                    sequencer.maxCmdSn(),
                                    echo));
                    metrics.pingAnswered();
                };
        if (n.immediate()) {
            reply.run();
        } else {
            CommandSequencer.Admission a = sequencer.offer(n.cmdSn(), reply);
            if (a == CommandSequencer.Admission.OUT_OF_WINDOW
                    || a == CommandSequencer.Admission.DUPLICATE) {
                n.release();
            }
        }
    }

    /** Target-initiated NOP-In ping; an unanswered one past the timeout drops the connection. */
    private void ping() {
        if (!conn.inSession()) {
            return;
        }
        if (conn.frozen()) {
            return; // a frozen connection neither pings nor times out
        }
        if (pingTtt != Pdu.RESERVED_TAG) {
            long waited = System.nanoTime() - pingSentNanos;
            if (waited > timeout.toNanos()) {
                log.warn(
                        "session {} CID {}: no NOP-Out answer for {} ms, dropping the connection",
                        session.tsih(),
                        conn.cid(),
                        TimeUnit.NANOSECONDS.toMillis(waited));
                conn.dropByTarget();
            }
            return;
        }
        pingTtt = conn.nextTargetTransferTag();
        pingSentNanos = System.nanoTime();
        conn.sendAndFlush(
                new NopIn(
                        0,
                        Pdu.RESERVED_TAG,
                        pingTtt,
                        conn.currentStatSn(),
                        sequencer.expCmdSn(),
                        sequencer.maxCmdSn(),
                        Unpooled.EMPTY_BUFFER));
    }
}
