package org.iscsilab.host.trace;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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
    private final long startEpochMillis = System.currentTimeMillis();
    private final int capacity;
    private final Deque<TraceEvent> events = new ArrayDeque<>();
    private long recorded;
    private volatile Function<Map<String, String>, Map<String, String>> context = args -> Map.of();

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

    /**
     * What every step also records about the moment it was taken (for a host: its LLD module's
     * state, and the queue of the device a step names), from the step's own details. It runs before
     * the step takes its place in the order, outside the trace's lock, so it must take no lock a
     * recording thread may hold. Details the step gives itself win.
     */
    public void setContext(Function<Map<String, String>, Map<String, String>> context) {
        this.context = context;
    }

    /** Records a step on a lane given by name (work done for that lane elsewhere). */
    public void recordOn(String lane, String name, String... args) {
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("args come in name, value pairs");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            map.put(args[i], args[i + 1]);
        }
        context.apply(Collections.unmodifiableMap(map)).forEach(map::putIfAbsent);
        synchronized (this) {
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
    }

    /** The wall-clock time the trace began (its steps' micros count from there). */
    public long startEpochMillis() {
        return startEpochMillis;
    }

    /** The steps kept, in order. */
    public synchronized List<TraceEvent> events() {
        return List.copyOf(events);
    }
}
