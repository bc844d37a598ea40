package org.iscsilab.cli.bench;

import java.time.Duration;
import java.util.List;

/**
 * One benchmark run: workload, the I/O sizes and their shares, outstanding commands per session,
 * sessions, how long to measure, reads in percent for mixed workloads, whether data is verified,
 * the random seed, how long to ramp before measuring, where random I/Os land, the rate to issue at
 * in I/Os a second over all sessions (0: as fast as the depth allows) and the latency percentiles
 * to report.
 */
public record BenchSpec(
        Workload workload,
        BlockSizeMix blockSizes,
        int depth,
        int sessions,
        Duration duration,
        int readPercent,
        boolean verify,
        long seed,
        Duration ramp,
        Distribution distribution,
        double rateIops,
        List<Double> percentiles) {
    /** A run of one block size, uniform, unpaced, with the default percentiles. */
    public BenchSpec(
            Workload workload,
            int blockSize,
            int depth,
            int sessions,
            Duration duration,
            int readPercent,
            boolean verify,
            long seed,
            Duration ramp) {
        this(
                workload,
                checkedSize(blockSize),
                depth,
                sessions,
                duration,
                readPercent,
                verify,
                seed,
                ramp,
                Distribution.UNIFORM,
                0,
                LatencyStats.DEFAULT_PERCENTILES);
    }

    private static BlockSizeMix checkedSize(int blockSize) {
        if (blockSize < 512 || blockSize % 512 != 0) {
            throw new IllegalArgumentException(
                    "block size must be a multiple of 512 bytes, not " + blockSize);
        }
        return BlockSizeMix.of(blockSize);
    }

    public BenchSpec {
        if (ramp == null || ramp.isNegative()) {
            throw new IllegalArgumentException("the ramp must be zero or more seconds");
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
        if (distribution.kind() != Distribution.Kind.UNIFORM && !workload.random()) {
            throw new IllegalArgumentException(
                    "a distribution other than uniform needs a random workload, not "
                            + workload.label());
        }
        if (!(rateIops >= 0) || Double.isInfinite(rateIops)) {
            throw new IllegalArgumentException(
                    "the rate is 0 (unlimited) or more I/Os a second, not " + rateIops);
        }
        percentiles = Percentiles.check(percentiles);
    }

    /** A short label like "randread 4k qd32 x1" or "randrw 4k:70,64k:30 qd8 x2 70% reads". */
    public String label() {
        int reads = workload.readPercent(readPercent);
        return workload.label()
                + " "
                + blockSizes.label()
                + " qd"
                + depth
                + " x"
                + sessions
                + (reads % 100 != 0 ? " " + reads + "% reads" : "")
                + (distribution.kind() != Distribution.Kind.UNIFORM
                        ? " " + distribution.label()
                        : "")
                + (rateIops > 0 ? " at " + Percentiles.number(rateIops) + " IOPS" : "");
    }
}
