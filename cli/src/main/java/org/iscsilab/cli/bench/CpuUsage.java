package org.iscsilab.cli.bench;

/**
 * CPU time over the measured window (sampled when the ramp ends and when the last command
 * completes), in seconds and in microseconds per completed command. The client is this process, or,
 * with an embedded target, only the load generator's threads; the process is this whole JVM (with
 * an embedded target, client and target together, plus garbage collection and the JIT); the target
 * is what {@code targetSource} names, or null when nothing measures it.
 */
public record CpuUsage(
        String clientSource,
        double clientSeconds,
        double clientMicrosPerCommand,
        double processSeconds,
        double processMicrosPerCommand,
        String targetSource,
        Double targetSeconds,
        Double targetMicrosPerCommand) {
    /** Client CPU measured as this process' CPU time. */
    public static final String PROCESS = "process";

    /** Client CPU measured as the CPU time of the load generator's threads. */
    public static final String LOAD_GENERATOR_THREADS = "load-generator-threads";

    /** Target CPU from /proc/PID/stat. */
    public static final String TARGET_PID = "target-pid";

    /** Target CPU from the target's process_cpu_seconds_total. */
    public static final String TARGET_METRICS = "target-metrics";

    /** Target CPU as the CPU time of this JVM's threads that are not the load generator's. */
    public static final String EMBEDDED_TARGET_THREADS = "embedded-target-threads";
}
