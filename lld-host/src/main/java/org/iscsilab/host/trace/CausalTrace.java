package org.iscsilab.host.trace;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records a run's steps as they happen, from any thread: each gets the next sequence number under
 * one lock, so the recorded order is the order the steps took effect. Only the last {@code
 * capacity} steps are kept, so a host that runs long (every command sent is a step) holds a bounded
 * trace; a gap in the sequence numbers shows what was dropped.
 */
public final class CausalTrace {
    /** Steps kept by default: a scenario takes a few dozen. */
    public static final int DEFAULT_CAPACITY = 10_000;

    private final long startNanos = System.nanoTime();
    private final int capacity;
    private final Deque<TraceEvent> events = new ArrayDeque<>();
    private long recorded;

    public CausalTrace() {
        this(DEFAULT_CAPACITY);
    }

    public CausalTrace(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a trace keeps at least one step");
        }
        this.capacity = capacity;
    }

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
        if (events.size() == capacity) {
            events.removeFirst();
        }
        events.addLast(
                new TraceEvent(
                        ++recorded,
                        (System.nanoTime() - startNanos) / 1_000,
                        lane,
                        name,
                        Collections.unmodifiableMap(map)));
    }

    /** The steps kept, in order. */
    public synchronized List<TraceEvent> events() {
        return List.copyOf(events);
    }
}
