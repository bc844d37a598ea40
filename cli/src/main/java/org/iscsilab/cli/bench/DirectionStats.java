package org.iscsilab.cli.bench;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * What the measured window did in one direction (reads, writes, or both together): completed
 * commands, bytes, IOPS, MB/s (10^6 bytes a second), latency in microseconds, and a histogram of
 * the latencies in buckets whose upper bounds double from 1 microsecond.
 */
@JsonPropertyOrder({"ios", "bytes", "iops", "megabytesPerSecond", "latencyMicros", "histogram"})
public record DirectionStats(
        long ios,
        long bytes,
        double iops,
        double megabytesPerSecond,
        LatencyStats latencyMicros,
        List<Bucket> histogram) {
    /** Commands whose latency was above the previous bucket's bound and at most upToMicros. */
    public record Bucket(double upToMicros, long count) {}

    public DirectionStats {
        histogram = List.copyOf(histogram);
    }

    static DirectionStats of(
            long ios, long bytes, double seconds, Histogram nanos, List<Double> percentiles) {
        return new DirectionStats(
                ios,
                bytes,
                ios / seconds,
                bytes / seconds / 1e6,
                LatencyStats.of(nanos, percentiles),
                buckets(nanos));
    }

    /** Doubling buckets from 1 us up to the one holding the maximum; empty without commands. */
    static List<Bucket> buckets(Histogram nanos) {
        List<Bucket> out = new ArrayList<>();
        if (nanos.getTotalCount() == 0) {
            return out;
        }
        for (HistogramIterationValue v : nanos.logarithmicBucketValues(1000, 2.0)) {
            out.add(
                    new Bucket(
                            v.getValueIteratedTo() / 1000.0, v.getCountAddedInThisIterationStep()));
        }
        return out;
    }
}
