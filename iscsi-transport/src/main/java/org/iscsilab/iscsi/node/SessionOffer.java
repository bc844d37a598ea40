package org.iscsilab.iscsi.node;

/**
 * What the target accepts of the session-wide keys an initiator proposes, each up to these (RFC
 * 7143 §13): how many connections one session may have (MaxConnections, §13.2), the highest error
 * recovery level (ErrorRecoveryLevel, §13.20), and the Time2Wait and Time2Retain it offers for
 * connection recovery (DefaultTime2Wait, the least an initiator waits before it recovers, §13.15;
 * DefaultTime2Retain, the most the target keeps a failed connection's tasks after that, §13.16).
 */
public record SessionOffer(
        int maxConnections, int errorRecoveryLevel, int defaultTime2Wait, int defaultTime2Retain) {
    /** 4 connections, ErrorRecoveryLevel 2, and RFC 7143's default times: 2 s and 20 s. */
    public static final SessionOffer DEFAULT = new SessionOffer(4, 2, 2, 20);

    public SessionOffer {
        check("connections per session", maxConnections, 1, 65535, "§13.2");
        check("error recovery level", errorRecoveryLevel, 0, 2, "§13.20");
        check("DefaultTime2Wait", defaultTime2Wait, 0, 3600, "§13.15");
        check("DefaultTime2Retain", defaultTime2Retain, 0, 3600, "§13.16");
    }

    private static void check(String what, int value, int min, int max, String section) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    what
                            + " must be "
                            + min
                            + " to "
                            + max
                            + " (RFC 7143 "
                            + section
                            + "), not "
                            + value);
        }
    }

    public SessionOffer withMaxConnections(int n) {
        return new SessionOffer(n, errorRecoveryLevel, defaultTime2Wait, defaultTime2Retain);
    }

    public SessionOffer withErrorRecoveryLevel(int level) {
        return new SessionOffer(maxConnections, level, defaultTime2Wait, defaultTime2Retain);
    }

    public SessionOffer withTimes(int time2Wait, int time2Retain) {
        return new SessionOffer(maxConnections, errorRecoveryLevel, time2Wait, time2Retain);
    }
}
