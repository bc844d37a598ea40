package org.iscsilab.iscsi.initiator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.iscsilab.iscsi.pdu.Pdu;

/**
 * The requests of an initiator session that wait for their answers, by initiator task tag (RFC 7143
 * §11.2.1.8): hands out the tags, never the reserved one, and completes or fails a request when its
 * answer comes or cannot. Event loop only.
 */
final class PendingRequests {
    private final Map<Integer, Pending> byItt = new HashMap<>();
    private int nextItt = 1;

    /** A fresh initiator task tag. */
    int nextItt() {
        int itt = nextItt++;
        if (nextItt == Pdu.RESERVED_TAG) {
            nextItt = 1;
        }
        return itt;
    }

    /** {@code p} waits for its answer under {@code itt}. */
    void put(int itt, Pending p) {
        byItt.put(itt, p);
    }

    /**
     * {@code p} goes out on {@code conn} now: it gets a tag and waits under it. Returns the tag.
     */
    int add(InitiatorConnection conn, Pending p) {
        int itt = nextItt();
        p.conn = conn;
        byItt.put(itt, p);
        return itt;
    }

    Pending get(int itt) {
        return byItt.get(itt);
    }

    /** The requests waiting now, to go over while some of them complete. */
    List<Pending> snapshot() {
        return List.copyOf(byItt.values());
    }

    /** The requests on {@code conn} still waiting for an answer. */
    List<Pending> unansweredOn(InitiatorConnection conn) {
        List<Pending> unanswered = new ArrayList<>();
        for (Pending p : byItt.values()) {
            if (p.conn == conn && !p.future.isDone()) {
                unanswered.add(p);
            }
        }
        return unanswered;
    }

    void complete(int itt, Object value) {
        Pending p = byItt.remove(itt);
        if (p == null) {
            return;
        }
        p.releaseDataOut();
        p.future.complete(value);
    }

    void fail(int itt, Throwable t) {
        Pending p = byItt.get(itt);
        if (p != null) {
            fail(p, t);
        }
    }

    void fail(Pending p, Throwable t) {
        forget(p);
        p.future.completeExceptionally(t);
        p.itt.completeExceptionally(t);
    }

    /** Drops {@code p}, which no answer completes now (it failed or timed out). */
    void forget(Pending p) {
        byItt.values().removeIf(x -> x == p);
        p.releaseDataOut();
    }
}
