package org.iscsilab.iscsi.target;

import org.slf4j.MDC;

/**
 * What a log line is about: the connection (initiator address), the session (TSIH) and the
 * task (ITT) of the PDU being handled, kept in SLF4J's MDC for the handling thread while one
 * inbound PDU or timer is processed, and cleared afterwards.
 */
final class LogContext {
    static final String CONNECTION = "connection";
    static final String SESSION = "session";
    static final String ITT = "itt";

    private LogContext() {
    }

    /**
     * Sets the context of one inbound PDU or timer. {@code connection} and {@code session} are
     * the strings {@link #connection} and {@link #session} made once per connection and session,
     * so the per-PDU cost is the ITT alone.
     */
    static void enter(String connection, String session, int itt) {
        if (connection != null) {
            MDC.put(CONNECTION, connection);
        }
        if (session != null) {
            MDC.put(SESSION, session);
        }
        // 0xffffffff is the reserved tag (RFC 7143 §11.18.1): no task
        if (itt != -1) {
            MDC.put(ITT, " itt=0x" + Integer.toHexString(itt));
        }
    }

    /** The connection's value: the initiator's address and port. */
    static String connection(Object remote) {
        if (remote == null) {
            return null;
        }
        String r = remote.toString();
        return r.startsWith("/") ? r.substring(1) : r;
    }

    /** The session's value: its TSIH. */
    static String session(int tsih) {
        return " tsih=0x" + Integer.toHexString(tsih);
    }

    static void clear() {
        MDC.remove(CONNECTION);
        MDC.remove(SESSION);
        MDC.remove(ITT);
    }
}
