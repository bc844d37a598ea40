package org.iscsilab.core.nexus;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseKey;

/**
 * Pending unit attention conditions of one logical unit, per I_T nexus (SPC-5 §5.14). A nexus seen
 * for the first time starts with POWER ON, RESET, OR BUS DEVICE RESET OCCURRED.
 */
public final class UnitAttentions {
    private final Map<ItNexus, Deque<AdditionalSense>> pending = new ConcurrentHashMap<>();

    /** At most this many lost nexuses are remembered (the oldest are forgotten first). */
    private static final int LOST_REMEMBERED = 4096;

    /** Nexuses reported lost, until their initiator port's next first command. */
    private final Map<ItNexus, Boolean> lost =
            Collections.synchronizedMap(
                    new LinkedHashMap<>() {
                        @Override
                        protected boolean removeEldestEntry(Map.Entry<ItNexus, Boolean> e) {
                            return size() > LOST_REMEMBERED;
                        }
                    });

    /**
     * Registers a nexus on its first command: a new nexus gets 29/00 (SPC-5 §5.14.1), one reported
     * lost 29/07 I_T NEXUS LOSS OCCURRED.
     */
    public void registerIfNew(ItNexus nexus) {
        pending.computeIfAbsent(
                nexus,
                n -> {
                    Deque<AdditionalSense> q = new ArrayDeque<>();
                    q.add(
                            lost.remove(n) != null
                                    ? AdditionalSense.I_T_NEXUS_LOSS_OCCURRED
                                    : AdditionalSense.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
                    return q;
                });
    }

    /**
     * Forgets a nexus whose session ended and remembers it as lost: when the same initiator port
     * comes back its first command reports I_T NEXUS LOSS OCCURRED (SAM-5 §6.3.4, SPC-5 §5.14).
     */
    public void forgetReportingLoss(ItNexus nexus) {
        pending.remove(nexus);
        lost.put(nexus, Boolean.TRUE);
    }

    /** Forgets a nexus whose session ended; its next login counts as a new nexus. */
    public void forget(ItNexus nexus) {
        pending.remove(nexus);
    }

    /** Establishes a condition for every known nexus except {@code except} (may be null). */
    public void establishForAll(AdditionalSense condition, ItNexus except) {
        pending.forEach(
                (nexus, q) -> {
                    if (!nexus.equals(except)) {
                        establish(q, condition);
                    }
                });
    }

    public void establish(ItNexus nexus, AdditionalSense condition) {
        Deque<AdditionalSense> q = pending.get(nexus);
        if (q != null) {
            establish(q, condition);
        }
    }

    private static void establish(Deque<AdditionalSense> q, AdditionalSense condition) {
        synchronized (q) {
            // a power on, reset or nexus loss (29h) starts the nexus's view afresh: it replaces
            // every
            // pending condition, earlier resets included (SAM-5 §6.3, SPC-5 §5.14.3)
            if (condition.asc() == 0x29) {
                q.clear();
                q.add(condition);
            } else if (!q.contains(condition)) {
                q.addLast(condition);
            }
        }
    }

    /**
     * What a command of this nexus meets: the nexus is registered if new ({@link #registerIfNew}),
     * then, when the command is one that reports unit attentions ({@code reports}), the
     * highest-precedence pending condition is taken (null when none). One map lookup for a known
     * nexus, as on the command path.
     */
    public SenseData onCommand(ItNexus nexus, boolean reports) {
        Deque<AdditionalSense> q = pending.get(nexus);
        if (q == null) {
            registerIfNew(nexus);
            q = pending.get(nexus);
        }
        if (!reports || q == null) {
            return null;
        }
        synchronized (q) {
            AdditionalSense c = q.pollFirst();
            return c == null ? null : SenseData.of(SenseKey.UNIT_ATTENTION, c);
        }
    }

    /** Takes the highest-precedence pending condition of this nexus, or null. */
    public SenseData take(ItNexus nexus) {
        Deque<AdditionalSense> q = pending.get(nexus);
        if (q == null) {
            return null;
        }
        synchronized (q) {
            AdditionalSense c = q.pollFirst();
            return c == null ? null : SenseData.of(SenseKey.UNIT_ATTENTION, c);
        }
    }

    public boolean hasPending(ItNexus nexus) {
        Deque<AdditionalSense> q = pending.get(nexus);
        if (q == null) {
            return false;
        }
        synchronized (q) {
            return !q.isEmpty();
        }
    }
}
