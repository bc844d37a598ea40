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

    static void enter(Object remote, TargetSession session, int itt) {
        if (remote != null) {
            String r = remote.toString();
            MDC.put(CONNECTION, r.startsWith("/") ? r.substring(1) : r);
        }
        if (session != null) {
            MDC.put(SESSION, " tsih=0x" + Integer.toHexString(session.tsih()));
        }
        // 0xffffffff is the reserved tag (RFC 7143 §11.18.1): no task
        if (itt != -1) {
            MDC.put(ITT, " itt=0x" + Integer.toHexString(itt));
        }
    }

    static void clear() {
        MDC.remove(CONNECTION);
        MDC.remove(SESSION);
        MDC.remove(ITT);
    }
}
