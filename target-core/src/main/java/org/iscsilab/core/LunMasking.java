package org.iscsilab.core;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.iscsilab.core.nexus.ItNexus;

/**
 * Which LUNs each initiator may see. An initiator without an entry sees every LUN; one with an
 * entry sees only those, and to it every other LUN looks as if no logical unit were there (INQUIRY
 * peripheral qualifier 011b, LOGICAL UNIT NOT SUPPORTED, absent from REPORT LUNS). Initiators are
 * named as in the iSCSI initiator port name "InitiatorName,i,0xISID" (RFC 7143 §4.4.2).
 */
public final class LunMasking {
    private final Map<String, Set<Integer>> visible = new ConcurrentHashMap<>();

    /** From now on {@code initiatorName} sees only {@code luns}. */
    public void restrict(String initiatorName, Set<Integer> luns) {
        visible.put(initiatorName, Set.copyOf(luns));
    }

    /** {@code initiatorName} sees every LUN again. */
    public void lift(String initiatorName) {
        visible.remove(initiatorName);
    }

    public boolean isEmpty() {
        return visible.isEmpty();
    }

    public boolean visible(ItNexus nexus, int lun) {
        if (visible.isEmpty()) {
            return true;
        }
        Set<Integer> luns = visible.get(initiatorName(nexus));
        return luns == null || luns.contains(lun);
    }

    /** The masks in force, initiator name to visible LUNs. */
    public Map<String, Set<Integer>> masks() {
        return Map.copyOf(visible);
    }

    static String initiatorName(ItNexus nexus) {
        String port = nexus.initiatorPort();
        int at = port.indexOf(",i,");
        return at < 0 ? port : port.substring(0, at);
    }
}
