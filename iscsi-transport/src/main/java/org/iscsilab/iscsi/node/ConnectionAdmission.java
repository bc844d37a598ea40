package org.iscsilab.iscsi.node;

import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.iscsi.metrics.TargetMetrics;
import org.slf4j.Logger;

/**
 * Counts accepted connections against {@link TargetLimits#maxTcpConnections()}: one beyond the
 * limit is closed before any byte is read; refusals are counted in the metrics and logged at most
 * once a second, so a flood cannot flood the log as well.
 */
final class ConnectionAdmission {
    private static final Logger log = TargetLog.get(ConnectionAdmission.class);

    private final int max;
    private final TargetMetrics metrics;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastLog =
            new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(2));

    ConnectionAdmission(int max, TargetMetrics metrics) {
        this.max = max;
        this.metrics = metrics;
    }

    /** Admits {@code ch} (counted until it closes) or closes it at once; true when admitted. */
    boolean admit(Channel ch) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            metrics.connectionDropped("limit");
            long n = refused.incrementAndGet();
            long now = System.nanoTime();
            long last = lastLog.get();
            if (now - last > TimeUnit.SECONDS.toNanos(1) && lastLog.compareAndSet(last, now)) {
                log.warn(
                        "connection limit of {} reached: refusing {} ({} refused so far)",
                        max,
                        ch.remoteAddress(),
                        n);
            }
            ch.close();
            return false;
        }
        ch.closeFuture().addListener(f -> open.decrementAndGet());
        return true;
    }
}
