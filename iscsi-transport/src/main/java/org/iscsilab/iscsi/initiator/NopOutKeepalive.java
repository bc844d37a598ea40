package org.iscsilab.iscsi.initiator;

import java.time.Duration;

/**
 * The initiator's connection keepalive (RFC 7143 §11.18 NOP-Out as a ping): after {@code interval}
 * without a PDU from the target, a NOP-Out asks for a NOP-In; with none back within {@code timeout}
 * the connection is dropped. open-iscsi's node.conn[0].timeo.noop_out_interval and
 * noop_out_timeout, checked as libiscsi's iscsi_check_transport_timeouts does.
 *
 * @param interval how long the connection may be quiet before a ping; zero turns pings off
 * @param timeout how long a ping may go unanswered before the connection is dropped
 */
public record NopOutKeepalive(Duration interval, Duration timeout) {
    /** No pings: only TCP notices a dead target. */
    public static final NopOutKeepalive OFF = new NopOutKeepalive(Duration.ZERO, Duration.ZERO);

    /** open-iscsi's defaults (iscsid.conf): 5 s of quiet, then 5 s for the answer. */
    public static final NopOutKeepalive OPEN_ISCSI =
            new NopOutKeepalive(Duration.ofSeconds(5), Duration.ofSeconds(5));

    public NopOutKeepalive {
        if (interval.isNegative() || timeout.isNegative()) {
            throw new IllegalArgumentException("NOP-Out interval and timeout cannot be negative");
        }
        if (!interval.isZero() && timeout.isZero()) {
            throw new IllegalArgumentException("a NOP-Out interval needs a timeout");
        }
    }

    public boolean enabled() {
        return !interval.isZero();
    }
}
