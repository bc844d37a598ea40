package org.iscsilab.host.module;

import java.util.ArrayList;
import java.util.List;

/**
 * Broken invariants seen during a run, as sentences. A model that breaks one records it here
 * instead of carrying on silently; scenario reports list them.
 */
public final class Violations {
    private final List<String> seen = new ArrayList<>();

    public synchronized void record(String sentence) {
        seen.add(sentence);
    }

    public synchronized List<String> all() {
        return List.copyOf(seen);
    }

    public synchronized boolean isEmpty() {
        return seen.isEmpty();
    }
}
