package org.iscsilab.cli.bench;

/**
 * What a run measured: completed I/Os, bytes, errors (non-GOOD or failed commands), verification
 * failures, the elapsed seconds, and latency percentiles in microseconds.
 */
public record BenchResult(
        String label,
        String workload,
        int blockSize,
        int depth,
        int sessions,
        long ios,
        long bytes,
        long errors,
        long verifyFailures,
        double seconds,
        double iops,
        double megabytesPerSecond,
        double p50Micros,
        double p99Micros,
        double p999Micros,
        double maxMicros) {}
