package org.iscsilab.cli.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Latency of a set of commands in microseconds: the percentiles asked for (keyed by the percentile
 * as written, e.g. "99.9"), mean, standard deviation, minimum and maximum. All zero when no command
 * completed.
 */
public record LatencyStats(
        Map<String, Double> percentiles, double mean, double stdev, double min, double max) {
    /** The percentiles reported when none are asked for. */
    public static final List<Double> DEFAULT_PERCENTILES =
            List.of(50.0, 90.0, 95.0, 99.0, 99.9, 99.99);

    public LatencyStats {
        percentiles = Collections.unmodifiableMap(new LinkedHashMap<>(percentiles));
    }

    /** The statistics of a histogram of nanoseconds. */
    public static LatencyStats of(Histogram nanos, List<Double> wanted) {
        Map<String, Double> p = new LinkedHashMap<>();
        boolean empty = nanos.getTotalCount() == 0;
        for (double q : wanted) {
            p.put(key(q), empty ? 0 : nanos.getValueAtPercentile(q) / 1000.0);
        }
        if (empty) {
            return new LatencyStats(p, 0, 0, 0, 0);
        }
        return new LatencyStats(
                p,
                nanos.getMean() / 1000.0,
                nanos.getStdDeviation() / 1000.0,
                nanos.getMinValue() / 1000.0,
                nanos.getMaxValue() / 1000.0);
    }

    /** "50", "99.9": the percentile as a key, without a trailing ".0". */
    public static String key(double percentile) {
        return Percentiles.number(percentile);
    }

    /** The value of a percentile, or 0 when it was not asked for. */
    public double at(double percentile) {
        return percentiles.getOrDefault(key(percentile), 0.0);
    }
}
