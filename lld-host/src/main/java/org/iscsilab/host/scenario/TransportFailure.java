package org.iscsilab.host.scenario;

/**
 * The one fault recipe that fails a host's transport in every scenario, for the Java host and the
 * Linux guest alike: the target freezes the host's connections (stops reading and answering, keeps
 * them open, holds what it read) until the rule is removed. Neither host is told anything: its
 * NOP-Out keepalive times out (open-iscsi's noop_out_interval + noop_out_timeout), the connection
 * fails, the session blocks its target and tries to log in again; the frozen target lets no login
 * through until the thaw.
 */
public final class TransportFailure {
    private TransportFailure() {}

    /** The fault rule that freezes every connection of {@code initiatorIqn}. */
    public static String freezeRule(String initiatorIqn) {
        return "freeze,initiator=" + initiatorIqn;
    }
}
