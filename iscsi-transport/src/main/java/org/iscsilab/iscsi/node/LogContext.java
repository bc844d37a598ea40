package org.iscsilab.iscsi.node;

import io.netty.util.concurrent.FastThreadLocal;
import org.slf4j.MDC;

/**
 * What a log line is about: the connection (initiator address), the session (TSIH) and the task
 * (ITT) of the PDU being handled, kept in SLF4J's MDC for the handling thread while one inbound
 * PDU, burst of PDUs or timer is processed, and emptied afterwards. The keys stay in the thread's
 * map with empty values, so setting them again allocates nothing; a value the thread's map already
 * holds (the same string) is not set again, so the PDUs of one read burst, which share connection
 * and session, cost no MDC update after the first.
 */
final class LogContext {
    static final String CONNECTION = "connection";
    static final String SESSION = "session";
    static final String ITT = "itt";

    /** What this thread's MDC holds now: connection, session, ITT (compared by identity). */
    private static final FastThreadLocal<String[]> CURRENT =
            new FastThreadLocal<>() {
                @Override
                protected String[] initialValue() {
                    return new String[3];
                }
            };

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
        String[] now = CURRENT.get();
        put(now, 0, CONNECTION, connection == null ? "" : connection);
        put(now, 1, SESSION, session == null ? "" : session);
        // 0xffffffff is the reserved tag (RFC 7143 §11.18.1): no task
        put(now, 2, ITT, withTask && itt != -1 ? " itt=0x" + Integer.toHexString(itt) : "");
    }

    private static void put(String[] now, int i, String key, String value) {
        if (now[i] != value) {
            MDC.put(key, value);
            now[i] = value;
        }
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
        String[] now = CURRENT.get();
        put(now, 0, CONNECTION, "");
        put(now, 1, SESSION, "");
        put(now, 2, ITT, "");
    }
}
