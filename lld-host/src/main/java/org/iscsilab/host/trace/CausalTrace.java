package org.iscsilab.host.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records a run's steps as they happen, from any thread: each gets the next sequence number under
 * one lock, so the recorded order is the order the steps took effect.
 */
public final class CausalTrace {
    private final long startNanos = System.nanoTime();
    private final List<TraceEvent> events = new ArrayList<>();

    /** Records a step on the calling thread's lane; {@code args} alternate names and values. */
    public void record(String name, String... args) {
        recordOn(Thread.currentThread().getName(), name, args);
    }

    /** Records a step on a lane given by name (work done for that lane elsewhere). */
    public synchronized void recordOn(String lane, String name, String... args) {
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("args come in name, value pairs");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            map.put(args[i], args[i + 1]);
        }
        events.add(
                new TraceEvent(
                        events.size() + 1L,
                        (System.nanoTime() - startNanos) / 1_000,
                        lane,
                        name,
                        Collections.unmodifiableMap(map)));
    }

    /** The steps so far, in order. */
    public synchronized List<TraceEvent> events() {
        return List.copyOf(events);
    }
}
