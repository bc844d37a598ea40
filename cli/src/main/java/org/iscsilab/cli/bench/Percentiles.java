package org.iscsilab.cli.bench;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** Lists of latency percentiles, as the command line writes them: {@code 50,99,99.9}. */
public final class Percentiles {
    /** At most this many percentiles a run. */
    public static final int MAX = 20;

    private Percentiles() {}

    /** Parses "50,99,99.9". */
    public static List<Double> parse(String text) {
        List<Double> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            try {
                out.add(Double.parseDouble(part.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "'" + part + "' is not a number; write e.g. 50,99,99.9");
            }
        }
        return check(out);
    }

    /** The list if every entry is above 0 and at most 100, without repeats; an error otherwise. */
    static List<Double> check(List<Double> percentiles) {
        if (percentiles == null || percentiles.isEmpty() || percentiles.size() > MAX) {
            throw new IllegalArgumentException("give 1 to " + MAX + " percentiles");
        }
        for (double p : percentiles) {
            if (!(p > 0 && p <= 100)) {
                throw new IllegalArgumentException(
                        "a percentile is above 0 and at most 100, not " + number(p));
            }
        }
        if (percentiles.stream().distinct().count() != percentiles.size()) {
            throw new IllegalArgumentException("a percentile is given twice");
        }
        return List.copyOf(percentiles);
    }

    /** A number without a trailing ".0": 5000, 99.9. */
    static String number(double d) {
        return Double.isFinite(d)
                ? BigDecimal.valueOf(d).stripTrailingZeros().toPlainString()
                : "" + d;
    }
}
