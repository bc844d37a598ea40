package org.iscsilab.cli.bench;

import java.math.BigInteger;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.sampling.distribution.SharedStateDiscreteSampler;

/**
 * Where random I/Os land, like fio's random_distribution: {@code uniform} (every position equally
 * often), {@code zipf:THETA} (the position of rank k is chosen in proportion to 1/k^THETA; the
 * ranks are spread over the LUN by a fixed permutation, so hot positions are not adjacent) or
 * {@code hotspot:P/Q} (P percent of the I/Os go to the first Q percent of the LUN, the rest to the
 * remainder, uniformly within each part).
 */
public record Distribution(Kind kind, double theta, double hotIoPercent, double hotSpacePercent) {
    /** The three shapes. */
    public enum Kind {
        UNIFORM,
        ZIPF,
        HOTSPOT
    }

    public static final Distribution UNIFORM = new Distribution(Kind.UNIFORM, 0, 0, 0);

    /** Draws positions from 0 to n - 1. */
    public interface Sampler {
        long next(SplittableRandom random);
    }

    public Distribution {
        if (kind == Kind.ZIPF && !(theta > 0 && theta <= 10)) {
            throw new IllegalArgumentException("zipf's THETA is above 0 and at most 10, e.g. 1.2");
        }
        if (kind == Kind.HOTSPOT
                && !(hotIoPercent > 0
                        && hotIoPercent <= 100
                        && hotSpacePercent > 0
                        && hotSpacePercent < 100)) {
            throw new IllegalArgumentException(
                    "hotspot:P/Q sends P% of the I/Os (above 0, at most 100) to the first Q% of"
                            + " the LUN (above 0, below 100), e.g. hotspot:90/10");
        }
    }

    /** {@code uniform}, {@code zipf:THETA} or {@code hotspot:P/Q}. */
    public static Distribution parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("uniform")) {
                return UNIFORM;
            }
            if (t.startsWith("zipf:")) {
                return new Distribution(Kind.ZIPF, Double.parseDouble(t.substring(5)), 0, 0);
            }
            if (t.startsWith("hotspot:") && t.indexOf('/') > 0) {
                String[] pq = t.substring(8).split("/", 2);
                return new Distribution(
                        Kind.HOTSPOT, 0, Double.parseDouble(pq[0]), Double.parseDouble(pq[1]));
            }
        } catch (NumberFormatException e) {
            // explained below
        }
        throw new IllegalArgumentException(
                "use uniform, zipf:THETA (e.g. zipf:1.2) or hotspot:P/Q (e.g. hotspot:90/10)");
    }

    public String label() {
        return switch (kind) {
            case UNIFORM -> "uniform";
            case ZIPF -> "zipf:" + Percentiles.number(theta);
            case HOTSPOT ->
                    "hotspot:"
                            + Percentiles.number(hotIoPercent)
                            + "/"
                            + Percentiles.number(hotSpacePercent);
        };
    }

    /** A sampler of positions 0 to n - 1. */
    public Sampler sampler(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("no positions to choose from");
        }
        return switch (kind) {
            case UNIFORM -> r -> r.nextLong(n);
            case ZIPF -> zipf(n);
            case HOTSPOT -> hotspot(n);
        };
    }

    private Sampler hotspot(long n) {
        long hot = Math.max(1, Math.min(n, (long) Math.ceil(n * hotSpacePercent / 100)));
        double p = hotIoPercent / 100;
        return r -> hot == n || r.nextDouble() < p ? r.nextLong(hot) : hot + r.nextLong(n - hot);
    }

    private Sampler zipf(long n) {
        ZipfRanks ranks = new ZipfRanks(n, theta);
        long stride = stride(n);
        return r -> scatter(ranks.sample(r) - 1, stride, n);
    }

    /** A multiplier coprime to n: rank i goes to position i * stride mod n, a permutation. */
    private static long stride(long n) {
        long p = 2_147_483_647L; // a prime: coprime to n unless n is a multiple of it
        return n % p == 0 ? 1 : p % n;
    }

    static long scatter(long rank, long stride, long n) {
        if (n < (1L << 31)) {
            return rank * stride % n;
        }
        return BigInteger.valueOf(rank)
                .multiply(BigInteger.valueOf(stride))
                .mod(BigInteger.valueOf(n))
                .longValue();
    }

    /**
     * Ranks 1 to n with P(k) proportional to 1/k^theta, drawn by Apache Commons RNG's
     * rejection-inversion sampler (constant time per draw, no table of n entries). Its population
     * is an int: on a LUN of more positions the ranks stand for groups of adjacent positions, one
     * chosen uniformly within the group, so the shape holds at that granularity.
     */
    static final class ZipfRanks {
        private final long n;
        private final long group;
        private final SharedStateDiscreteSampler shape;

        ZipfRanks(long n, double exponent) {
            this.n = n;
            long ranks = Math.min(n, Integer.MAX_VALUE);
            this.group = (n + ranks - 1) / ranks;
            // the provider here only seeds the shared state; each draw brings its own generator
            this.shape =
                    RejectionInversionZipfSampler.of(
                            new SplittableRandom(0)::nextLong, (int) ranks, exponent);
        }

        /** A rank from 1 to n. */
        long sample(SplittableRandom random) {
            long rank = shape.withUniformRandomProvider(random::nextLong).sample();
            if (group == 1) {
                return rank;
            }
            long first = (rank - 1) * group;
            return first + random.nextLong(Math.min(group, n - first)) + 1;
        }
    }
}
