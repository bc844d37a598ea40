package org.iscsilab.cli.bench;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * What a run measured. The flat fields up front (ios to maxMicros) are the totals of the measured
 * window, as scripts read them; {@code read}, {@code write} and {@code total} hold the same per
 * direction with every latency statistic; {@code series} has one entry per second, ramp included;
 * {@code cpu} the CPU time per command. {@code total} is written last, so a script that takes the
 * first or the last {@code "iops"} of the JSON text gets the total either way.
 */
@JsonPropertyOrder({
    "name",
    "label",
    "workload",
    "blockSize",
    "blockSizes",
    "depth",
    "sessions",
    "readPercent",
    "distribution",
    "rateIops",
    "verify",
    "seed",
    "rampSeconds",
    "ios",
    "bytes",
    "errors",
    "verifyFailures",
    "seconds",
    "iops",
    "megabytesPerSecond",
    "p50Micros",
    "p99Micros",
    "p999Micros",
    "maxMicros",
    "cpu",
    "read",
    "write",
    "series",
    "total"
})
public record BenchResult(
        String name,
        String label,
        String workload,
        Integer blockSize,
        List<BlockSizeMix.Share> blockSizes,
        int depth,
        int sessions,
        int readPercent,
        String distribution,
        Double rateIops,
        boolean verify,
        long seed,
        double rampSeconds,
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
        double maxMicros,
        CpuUsage cpu,
        DirectionStats read,
        DirectionStats write,
        List<LoadGenerator.Progress> series,
        DirectionStats total) {
    public BenchResult {
        blockSizes = List.copyOf(blockSizes);
        series = List.copyOf(series);
    }

    /** The same result under a job's name. */
    public BenchResult named(String jobName) {
        return new BenchResult(
                jobName,
                label,
                workload,
                blockSize,
                blockSizes,
                depth,
                sessions,
                readPercent,
                distribution,
                rateIops,
                verify,
                seed,
                rampSeconds,
                ios,
                bytes,
                errors,
                verifyFailures,
                seconds,
                iops,
                megabytesPerSecond,
                p50Micros,
                p99Micros,
                p999Micros,
                maxMicros,
                cpu,
                read,
                write,
                series,
                total);
    }

    /** Whether both directions had commands in the measured window. */
    public boolean mixed() {
        return read.ios() > 0 && write.ios() > 0;
    }
}
