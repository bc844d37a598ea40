package org.iscsilab.core.xcopy;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.iscsilab.core.lu.NexusScopedState;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseException;
import org.iscsilab.scsi.SenseKey;

/**
 * The copies of one logical unit's copy manager, keyed by I_T nexus and list identifier (SPC-4
 * §6.4.3: a list identifier is unique per I_T nexus): those running, and the results of finished
 * ones held for RECEIVE COPY RESULTS until retrieved (LIST ID USAGE 00b).
 */
public final class HeldCopyResults implements NexusScopedState {
    private record Key(ItNexus nexus, int listId) {}

    /**
     * What a finished copy still holds: each part is discarded once retrieved (SPC-4 §6.18.3,
     * §6.18.5).
     */
    private static final class Held {
        final CopyProgress progress;
        boolean statusHeld = true;
        boolean failureDetailsHeld = true;

        Held(CopyProgress progress) {
            this.progress = progress;
        }
    }

    private final Map<Key, CopyProgress> running = new HashMap<>();
    private final LinkedHashMap<Key, Held> held = new LinkedHashMap<>();
    private int anonymousRunning;

    /**
     * Registers a starting copy. A list identifier still running on the same I_T nexus is OPERATION
     * IN PROGRESS; more copies than the manager runs at once is INSUFFICIENT RESOURCES.
     */
    synchronized CopyProgress begin(ItNexus nexus, CopyParameterList list) {
        if (running.size() + anonymousRunning >= CopyLimits.MAX_CONCURRENT_COPIES) {
            throw SenseException.of(
                    SenseKey.ILLEGAL_REQUEST, AdditionalSense.INSUFFICIENT_RESOURCES);
        }
        CopyProgress progress = new CopyProgress(list.listId());
        if (list.usage() == CopyParameterList.ListIdUsage.NO_LIST_ID) {
            anonymousRunning++;
            return progress;
        }
        Key key = new Key(nexus, list.listId());
        if (running.containsKey(key)) {
            throw new SenseException(
                    SenseData.illegalRequest(
                            AdditionalSense.OPERATION_IN_PROGRESS,
                            SenseData.FieldPointer.parameterByte(0)));
        }
        held.remove(key); // a new copy with this list identifier replaces what an old one held
        running.put(key, progress);
        return progress;
    }

    synchronized void finish(ItNexus nexus, CopyParameterList list, CopyProgress progress) {
        if (list.usage() == CopyParameterList.ListIdUsage.NO_LIST_ID) {
            anonymousRunning--;
            return;
        }
        Key key = new Key(nexus, list.listId());
        running.remove(key, progress);
        if (list.usage() == CopyParameterList.ListIdUsage.HOLD) {
            held.put(key, new Held(progress));
            if (held.size() > CopyLimits.MAX_HELD_RESULTS) { // the oldest held results go first
                Iterator<Key> oldest = held.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
        }
    }

    /**
     * COPY STATUS: a running copy, or a finished one whose status is then discarded; null when
     * unknown.
     */
    synchronized CopyProgress takeStatus(ItNexus nexus, int listId) {
        Key key = new Key(nexus, listId);
        CopyProgress live = running.get(key);
        if (live != null) {
            return live;
        }
        Held h = held.get(key);
        if (h == null || !h.statusHeld) {
            return null;
        }
        h.statusHeld = false;
        dropIfEmpty(key, h);
        return h.progress;
    }

    /**
     * FAILED SEGMENT DETAILS: a running copy, or a finished one whose details are then discarded.
     */
    synchronized CopyProgress takeFailureDetails(ItNexus nexus, int listId) {
        Key key = new Key(nexus, listId);
        CopyProgress live = running.get(key);
        if (live != null) {
            return live;
        }
        Held h = held.get(key);
        if (h == null || !h.failureDetailsHeld) {
            return null;
        }
        h.failureDetailsHeld = false;
        dropIfEmpty(key, h);
        return h.progress;
    }

    private void dropIfEmpty(Key key, Held h) {
        if (!h.statusHeld && !h.failureDetailsHeld) {
            held.remove(key);
        }
    }

    /** SPC-4 §6.4.3: held results end with the I_T nexus. */
    @Override
    public synchronized void nexusLost(ItNexus nexus) {
        held.keySet().removeIf(k -> k.nexus().equals(nexus));
    }

    /** A logical unit reset discards every held result. */
    @Override
    public synchronized void reset() {
        held.clear();
    }
}
