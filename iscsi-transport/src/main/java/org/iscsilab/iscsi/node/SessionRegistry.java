package org.iscsilab.iscsi.node;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live sessions of a target server, by TSIH, and by the I_T nexus identity used for reinstatement.
 */
public final class SessionRegistry {
    private final Map<Integer, TargetSession> byTsih = new ConcurrentHashMap<>();
    private final AtomicInteger nextTsih = new AtomicInteger(1);

    /** A fresh non-zero TSIH (RFC 7143 §11.12.6) not used by a live session. */
    int allocateTsih() {
        while (true) {
            int t = nextTsih.getAndIncrement() & 0xFFFF;
            if (t != 0 && !byTsih.containsKey(t)) {
                return t;
            }
        }
    }

    /** The live session with this TSIH, or null. */
    TargetSession byTsih(int tsih) {
        return byTsih.get(tsih);
    }

    /**
     * Adds {@code s} unless {@code max} sessions are live already; atomic against concurrent
     * logins.
     */
    synchronized boolean addWithin(TargetSession s, int max) {
        if (byTsih.size() >= max) {
            return false;
        }
        byTsih.put(s.tsih(), s);
        return true;
    }

    void remove(TargetSession s) {
        byTsih.remove(s.tsih(), s);
    }

    /**
     * The live session with this initiator name, ISID, target and portal group (RFC 7143 §6.3.5
     * reinstatement: a session is identified by its initiator port and its target port, and the
     * target port is the target's name with the portal group's tag).
     */
    TargetSession find(String initiatorName, long isid, String targetName, int portalGroupTag) {
        for (TargetSession s : byTsih.values()) {
            if (s.identifiedBy(initiatorName, isid, targetName, portalGroupTag)) {
                return s;
            }
        }
        return null;
    }

    /**
     * Ends every session whose connection the initiator has closed though its event loop has not
     * noticed yet; a login calls this first, so an initiator that closes one connection and then
     * logs in again never meets the state of the nexus it dropped.
     */
    void endSessionsClosedByPeer() {
        byTsih.values().forEach(TargetSession::endIfClosedByPeer);
    }

    public List<TargetSession> all() {
        return List.copyOf(byTsih.values());
    }
}
