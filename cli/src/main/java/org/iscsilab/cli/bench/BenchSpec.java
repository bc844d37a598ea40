package org.iscsilab.cli.bench;

import java.time.Duration;

/**
 * One benchmark run: workload, block size in bytes, outstanding commands per session, sessions, how
 * long, reads in percent for mixed workloads, whether data is verified, and the random seed.
 */
public record BenchSpec(
        Workload workload,
        int blockSize,
        int depth,
        int sessions,
        Duration duration,
        int readPercent,
        boolean verify,
        long seed,
        Duration ramp) {
    /** A run measured from its first I/O (no ramp). */
    public BenchSpec(
            Workload workload,
            int blockSize,
            int depth,
            int sessions,
            Duration duration,
            int readPercent,
            boolean verify,
            long seed) {
        this(
                workload,
                blockSize,
                depth,
                sessions,
                duration,
                readPercent,
                verify,
                seed,
                Duration.ZERO);
    }

    public BenchSpec {
        if (ramp == null || ramp.isNegative()) {
            throw new IllegalArgumentException("the ramp must be zero or more seconds");
        }
        if (blockSize < 512 || blockSize % 512 != 0) {
            throw new IllegalArgumentException(
                    "block size must be a multiple of 512 bytes, not " + blockSize);
        }
        if (depth < 1 || depth > 1024) {
            throw new IllegalArgumentException("depth must be 1 to 1024, not " + depth);
        }
        if (sessions < 1 || sessions > 256) {
            throw new IllegalArgumentException("sessions must be 1 to 256, not " + sessions);
        }
        if (readPercent < 0 || readPercent > 100) {
            throw new IllegalArgumentException(
                    "the read mix must be 0 to 100 percent, not " + readPercent);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("the duration must be positive");
        }
    }

    /** A short label like "randread 4k qd32 x1". */
    public String label() {
        String bs = blockSize % (1 << 20) == 0 ? (blockSize >> 20) + "m" : (blockSize >> 10) + "k";
        return workload.label()
                + " "
                + bs
                + " qd"
                + depth
                + " x"
                + sessions
                + (workload.readPercent(readPercent) % 100 != 0
                        ? " " + workload.readPercent(readPercent) + "% reads"
                        : "");
    }
}
