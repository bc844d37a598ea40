package org.iscsilab.iscsi.node;

import org.slf4j.MDC;

/**
 * What a log line is about: the connection (initiator address), the session (TSIH) and the task
 * (ITT) of the PDU being handled, kept in SLF4J's MDC for the handling thread while one inbound PDU
 * or timer is processed, and emptied afterwards. The keys stay in the thread's map with empty
 * values, so setting them again per PDU allocates nothing.
 */
final class LogContext {
    static final String CONNECTION = "connection";
    static final String SESSION = "session";
    static final String ITT = "itt";

    private LogContext() {}

    /**
     * Sets the context of one inbound PDU or timer. {@code connection} and {@code session} are the
     * strings {@link #connection} and {@link #session} made once per connection and session. The
     * ITT is formatted only when {@code withTask}: the caller leaves it out for the SCSI Command
     * and Data-Out PDUs of the data path unless debug logging is on, since formatting it would be
     * the only allocation per PDU; the few lines logged about such a task at higher levels name its
     * ITT in the message.
     */
    static void enter(String connection, String session, int itt, boolean withTask) {
        MDC.put(CONNECTION, connection == null ? "" : connection);
        MDC.put(SESSION, session == null ? "" : session);
        // 0xffffffff is the reserved tag (RFC 7143 §11.18.1): no task
        MDC.put(ITT, withTask && itt != -1 ? " itt=0x" + Integer.toHexString(itt) : "");
    }

    /** The context of a timer or event that concerns no task. */
    static void enter(String connection, String session) {
        enter(connection, session, -1, false);
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

    /** Empties the context; the keys stay (see the class comment). */
    static void clear() {
        MDC.put(CONNECTION, "");
        MDC.put(SESSION, "");
        MDC.put(ITT, "");
    }
}
