package org.iscsilab.host.trace;

import java.util.Map;

/**
 * One step of a run: its place in the order ({@code sequence}, the order the steps happened, not
 * their text), when ({@code micros} since the trace began), the thread it ran on ({@code lane}: the
 * sysfs writer, the transport's recovery work, sd's shutdown, the error handler, ...), what it was,
 * and its details (device, states, queue, reason, ITT).
 */
public record TraceEvent(
        long sequence, long micros, String lane, String name, Map<String, String> args) {}
