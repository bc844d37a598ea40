package org.iscsilab.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The pieces bench computes with: block-size mixes, distributions, latency statistics, histogram
 * buckets and the CPU clocks' parsers.
 */
class BenchStatsTest {
    @Test
    void aBlockSizeMixDrawsEachSizeByItsShare() {
        BlockSizeMix mix = BlockSizeMix.parse("4k:70,64k:20,1m:10");
        assertEquals("4k:70,64k:20,1m:10", mix.label());
        assertNull(mix.single());
        assertEquals(1 << 20, mix.largest());
        int[] counts = new int[3];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 100_000; i++) {
            counts[mix.pick(r)]++;
        }
        assertEquals(70_000, counts[0], 1_500, Arrays.toString(counts));
        assertEquals(20_000, counts[1], 1_500, Arrays.toString(counts));
        assertEquals(10_000, counts[2], 1_500, Arrays.toString(counts));
        assertEquals(4096, BlockSizeMix.parse("4k").single());
    }

    @Test
    void badMixesAreExplained() {
        assertTrue(message(() -> BlockSizeMix.parse("4k:70,64k:20")).contains("add up to 90%"));
        assertTrue(message(() -> BlockSizeMix.parse("4k,64k")).contains("has no share"));
        assertTrue(message(() -> BlockSizeMix.parse("1000")).contains("multiples of 512"));
        assertTrue(message(() -> BlockSizeMix.parse("128m")).contains("up to 64m"));
        assertTrue(message(() -> BlockSizeMix.parse("4k:x")).contains("whole percentage"));
        assertTrue(message(() -> BlockSizeMix.parse("4k:0,8k:100")).contains("1 to 100"));
    }

    /** The share of the draws that land on the most often drawn 1% of the positions. */
    private static double hottestPercentShare(Distribution d, long n, int draws, long seed) {
        Distribution.Sampler s = d.sampler(n);
        SplittableRandom r = new SplittableRandom(seed);
        int[] hits = new int[(int) n];
        for (int i = 0; i < draws; i++) {
            long p = s.next(r);
            assertTrue(p >= 0 && p < n, "position " + p + " outside 0.." + (n - 1));
            hits[(int) p]++;
        }
        int[] sorted = hits.clone();
        Arrays.sort(sorted);
        long hot = 0;
        for (int i = 0; i < n / 100; i++) {
            hot += sorted[sorted.length - 1 - i];
        }
        return hot / (double) draws;
    }

    @Test
    void zipfPutsMoreHitsOnTheHotBlocksThanUniform() {
        long n = 10_000;
        double uniform = hottestPercentShare(Distribution.UNIFORM, n, 200_000, 11);
        double zipf = hottestPercentShare(Distribution.parse("zipf:1.2"), n, 200_000, 11);
        double mild = hottestPercentShare(Distribution.parse("zipf:0.8"), n, 200_000, 11);
        // uniform: about 1% plus noise; zipf(1.2) over 10,000 ranks: the top 100 take about 80%
        assertTrue(uniform < 0.02, "uniform's hottest 1% got " + uniform);
        assertTrue(zipf > 0.6, "zipf:1.2's hottest 1% got " + zipf);
        assertTrue(mild > uniform * 5 && mild < zipf, "zipf:0.8 in between: " + mild);
    }

    @Test
    void zipfRankOneIsDrawnInProportionToOneOverTheHarmonicSum() {
        // with theta = 1 and n = 100, P(rank 1) = 1 / H(100) = 0.1928
        Distribution.ZipfRanks ranks = new Distribution.ZipfRanks(100, 1.0);
        SplittableRandom r = new SplittableRandom(3);
        int first = 0;
        int draws = 200_000;
        for (int i = 0; i < draws; i++) {
            long k = ranks.sample(r);
            assertTrue(k >= 1 && k <= 100);
            if (k == 1) {
                first++;
            }
        }
        assertEquals(0.1928, first / (double) draws, 0.005);
    }

    @Test
    void zipfOnMorePositionsThanAnIntCountsDrawsGroupsOfAdjacentPositions() {
        long n = 3L * Integer.MAX_VALUE; // e.g. 4 KiB I/Os on a 24 TiB LUN
        Distribution.ZipfRanks ranks = new Distribution.ZipfRanks(n, 1.2);
        SplittableRandom r = new SplittableRandom(5);
        int inFirstGroup = 0;
        for (int i = 0; i < 100_000; i++) {
            long k = ranks.sample(r);
            assertTrue(k >= 1 && k <= n, "rank " + k);
            if (k <= 3) {
                inFirstGroup++; // the hottest rank stands for positions 1 to 3
            }
        }
        // P(rank 1) = 1 / H(2^31 - 1, 1.2), about 0.185, against 1e-9 for one position of uniform
        assertEquals(0.185, inFirstGroup / 100_000.0, 0.01, "the hottest group's share");
    }

    @Test
    void zipfSpreadsTheHotRanksOverTheLun() {
        long n = 1000;
        long stride = 2_147_483_647L % n;
        boolean[] seen = new boolean[(int) n];
        for (long rank = 0; rank < n; rank++) {
            int p = (int) Distribution.scatter(rank, stride, n);
            assertTrue(!seen[p], "rank " + rank + " lands where another did");
            seen[p] = true;
        }
        assertTrue(Distribution.scatter(1, stride, n) != 1, "rank 2 is not next to rank 1");
        long big = 3L << 40;
        assertTrue(Distribution.scatter(big - 1, 2_147_483_647L, big) < big);
    }

    @Test
    void aHotspotSendsItsShareToTheFirstPartOfTheLun() {
        Distribution.Sampler s = Distribution.parse("hotspot:90/10").sampler(10_000);
        SplittableRandom r = new SplittableRandom(9);
        int hot = 0;
        for (int i = 0; i < 100_000; i++) {
            if (s.next(r) < 1000) {
                hot++;
            }
        }
        assertEquals(0.9, hot / 100_000.0, 0.01);
        assertEquals("hotspot:90/10", Distribution.parse("hotspot:90/10").label());
        assertEquals("zipf:1.2", Distribution.parse("ZIPF:1.2").label());
    }

    @Test
    void badDistributionsAreExplained() {
        for (String bad :
                List.of(
                        "zipf:0",
                        "zipf:x",
                        "hotspot:90",
                        "hotspot:0/10",
                        "hotspot:90/100",
                        "normal")) {
            assertThrows(IllegalArgumentException.class, () -> Distribution.parse(bad), bad);
        }
    }

    @Test
    void latencyStatsAreTheHistogramsInMicroseconds() {
        Histogram h = new Histogram(3);
        for (int us = 1; us <= 1000; us++) {
            h.recordValue(us * 1000L);
        }
        LatencyStats s = LatencyStats.of(h, List.of(50.0, 99.9, 99.99));
        assertEquals(List.of("50", "99.9", "99.99"), List.copyOf(s.percentiles().keySet()));
        assertEquals(500, s.at(50), 1);
        assertEquals(999, s.at(99.9), 1);
        assertEquals(500.5, s.mean(), 0.5);
        assertEquals(288.7, s.stdev(), 1);
        assertEquals(1, s.min(), 0.01);
        assertEquals(1000, s.max(), 1);
        LatencyStats none = LatencyStats.of(new Histogram(3), List.of(50.0));
        assertEquals(0, none.at(50));
        assertEquals(0, none.max());
    }

    @Test
    void histogramBucketsDoubleAndHoldEveryCommand() {
        Histogram h = new Histogram(3);
        h.recordValue(500); // 0.5 us
        h.recordValue(3_000); // 3 us
        h.recordValue(3_500);
        h.recordValue(100_000); // 100 us
        List<DirectionStats.Bucket> b = DirectionStats.buckets(h);
        assertEquals(4, b.stream().mapToLong(DirectionStats.Bucket::count).sum());
        for (int i = 1; i < b.size(); i++) {
            assertEquals(2, b.get(i).upToMicros() / b.get(i - 1).upToMicros(), 0.01);
        }
        assertEquals(1, b.get(0).count(), "up to 1 us: " + b);
        assertEquals(2, b.get(2).count(), "2 to 4 us: " + b);
        assertTrue(b.get(b.size() - 1).upToMicros() >= 100, b.toString());
    }

    @Test
    void percentileListsAreChecked() {
        assertEquals(List.of(50.0, 99.0, 99.9), Percentiles.parse("50, 99,99.9"));
        assertTrue(message(() -> Percentiles.parse("50,101")).contains("at most 100"));
        assertTrue(message(() -> Percentiles.parse("50,x")).contains("not a number"));
        assertTrue(message(() -> Percentiles.parse("50,50")).contains("twice"));
        assertTrue(message(() -> Percentiles.parse("0")).contains("above 0"));
    }

    @Test
    void procStatTimesAreUserPlusSystemTicks() {
        String line =
                "4242 (java (bench) x) S 1 4242 4242 0 -1 4194560 9 0 0 0 250 50 0 0 20 0 42 0 1"
                        + " 100 200 300";
        assertEquals(3.0, CpuClock.procStatSeconds(line), 1e-9);
        double self = CpuClock.procStatSeconds(readSelfStat());
        assertTrue(self >= 0, "this process' stat parses: " + self);
    }

    private static String readSelfStat() {
        try {
            return Files.readString(Path.of("/proc/self/stat"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void prometheusCpuSecondsAreFoundAndSummed() {
        String text =
                "# HELP process_cpu_seconds_total Total user and system CPU time\n"
                        + "# TYPE process_cpu_seconds_total counter\n"
                        + "process_cpu_seconds_total 12.5\n"
                        + "process_cpu_seconds_total_created 1.7e9\n"
                        + "process_cpu_seconds_total{mode=\"x\"} 0.5 1700000000\n";
        assertEquals(13.0, CpuClock.prometheusCpuSeconds(text), 1e-9);
        assertTrue(
                message(() -> CpuClock.prometheusCpuSeconds("jvm_threads_live 3\n"))
                        .contains("no process_cpu_seconds_total"));
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }
}
