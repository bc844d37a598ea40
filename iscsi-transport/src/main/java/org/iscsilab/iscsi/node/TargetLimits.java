package org.iscsilab.iscsi.node;

import java.time.Duration;

/**
 * What one initiator, or many, may take of the target, so a slow or hostile client cannot exhaust
 * it. Commands outstanding per session are bounded by the CmdSN window ({@link
 * TargetSettings#commandWindow()}, RFC 7143 §3.2.2.1) and PDU sizes by MaxRecvDataSegmentLength
 * (§13.12); these are the rest.
 *
 * @param maxSessions sessions (normal and discovery) at once; a login beyond it is answered "out of
 *     resources" (0x0302, RFC 7143 §11.13.5)
 * @param maxTcpConnections TCP connections at once across all portals; one beyond it is closed as
 *     soon as it is accepted, before any PDU is read (not the iSCSI key MaxConnections, which
 *     counts the connections of one session, RFC 7143 §13.2)
 * @param loginTimeout time from accepting a connection to the end of its login
 * @param idleTimeout time a connection may stay silent while logging in or in a discovery session
 *     (zero: never); normal sessions are watched by NOP-In pings instead
 */
public record TargetLimits(
        int maxSessions, int maxTcpConnections, Duration loginTimeout, Duration idleTimeout) {
    public TargetLimits {
        if (maxSessions < 1 || maxTcpConnections < 1) {
            throw new IllegalArgumentException("session and connection limits must be at least 1");
        }
        if (loginTimeout.isNegative() || loginTimeout.isZero() || idleTimeout.isNegative()) {
            throw new IllegalArgumentException(
                    "the login timeout must be positive and the idle timeout not negative");
        }
    }

    public static TargetLimits defaults() {
        return new TargetLimits(1024, 4096, Duration.ofSeconds(15), Duration.ofSeconds(60));
    }
}
