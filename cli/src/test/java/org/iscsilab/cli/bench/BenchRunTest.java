package org.iscsilab.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.Test;

/**
 * Runs of the load generator against the embedded RAM target: reads and writes counted apart, mixed
 * sizes, the per-second series, pacing and the CPU per command (bounds loose enough for a busy
 * machine; nothing here times the machine).
 */
class BenchRunTest {
    private static BenchSpec spec(
            Workload w,
            String sizes,
            int depth,
            long rampMillis,
            long millis,
            String distribution,
            double rate) {
        return new BenchSpec(
                w,
                BlockSizeMix.parse(sizes),
                depth,
                1,
                Duration.ofMillis(millis),
                60,
                true,
                5,
                Duration.ofMillis(rampMillis),
                Distribution.parse(distribution),
                rate,
                List.of(50.0, 99.0, 99.9));
    }

    @Test
    void aMixedRunCountsReadsAndWritesApartAndTheirSumIsTheTotal() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:64M")) {
            List<LoadGenerator.Progress> ticks = new ArrayList<>();
            BenchResult r =
                    new LoadGenerator(t.address(), t.iqn(), 0, LoginOptions.DEFAULT, null, true)
                            .run(
                                    spec(
                                            Workload.RANDRW,
                                            "4k:50,64k:50",
                                            8,
                                            1000,
                                            2000,
                                            "zipf:1.1",
                                            0),
                                    ticks::add);
            assertEquals(0, r.errors());
            assertEquals(0, r.verifyFailures());
            assertTrue(r.read().ios() > 0 && r.write().ios() > 0, "both directions: " + r);
            assertEquals(r.ios(), r.read().ios() + r.write().ios());
            assertEquals(r.bytes(), r.read().bytes() + r.write().bytes());
            assertEquals(r.ios(), r.total().ios());
            assertEquals(r.iops(), r.read().iops() + r.write().iops(), r.iops() * 1e-9);
            // half the I/Os are 4 KiB and half 64 KiB: between the two, near the mean of 34 KiB
            double perIo = r.bytes() / (double) r.ios();
            assertTrue(perIo > 20_000 && perIo < 50_000, "bytes per I/O " + perIo);
            assertEquals(
                    r.ios(),
                    r.total().histogram().stream().mapToLong(DirectionStats.Bucket::count).sum());
            assertEquals(
                    r.read().ios(),
                    r.read().histogram().stream().mapToLong(DirectionStats.Bucket::count).sum());
            LatencyStats l = r.total().latencyMicros();
            assertEquals(List.of("50", "99", "99.9"), List.copyOf(l.percentiles().keySet()));
            assertTrue(
                    l.min() <= l.at(50) && l.at(50) <= l.at(99) && l.at(99) <= l.max(),
                    l.toString());
            assertEquals(r.p99Micros(), l.at(99), 1e-9);
            assertTrue(l.stdev() > 0 && l.mean() > 0, l.toString());
            // the series: the ramp's seconds first, then the measured ones, every completion once
            assertEquals(ticks, r.series());
            assertTrue(r.series().get(0).ramp(), "the first second is the ramp's");
            assertTrue(r.series().stream().anyMatch(p -> !p.ramp()), "measured seconds follow");
            long measuredSeries =
                    r.series().stream()
                            .filter(p -> !p.ramp())
                            .mapToLong(p -> p.total().ios())
                            .sum();
            long all = r.series().stream().mapToLong(p -> p.total().ios()).sum();
            assertTrue(
                    measuredSeries <= all && all > r.ios(),
                    "the ramp's commands are in the series");
            for (LoadGenerator.Progress p : r.series()) {
                assertEquals(p.total().ios(), p.read().ios() + p.write().ios(), p.toString());
            }
            // CPU: the embedded target's threads and the generator's are told apart
            CpuUsage cpu = r.cpu();
            assertEquals(CpuUsage.LOAD_GENERATOR_THREADS, cpu.clientSource());
            assertEquals(CpuUsage.EMBEDDED_TARGET_THREADS, cpu.targetSource());
            assertTrue(cpu.clientMicrosPerCommand() > 0, cpu.toString());
            assertTrue(cpu.targetMicrosPerCommand() > 0, cpu.toString());
            assertTrue(
                    cpu.processSeconds() >= cpu.clientSeconds(),
                    "the process holds the client: " + cpu);
        }
    }

    @Test
    void aPacedRunAchievesAboutTheRequestedRate() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M")) {
            BenchResult r =
                    new LoadGenerator(t.address(), t.iqn(), 0)
                            .run(
                                    spec(Workload.RANDREAD, "4k", 4, 500, 2500, "uniform", 200),
                                    p -> {});
            assertEquals(0, r.errors());
            // 200 a second for 2.5 s is 500 commands: a RAM target keeps up with that easily
            assertTrue(
                    r.iops() > 200 * 0.8 && r.iops() < 200 * 1.1,
                    "achieved " + r.iops() + " IOPS of 200");
            assertTrue(r.ios() > 380 && r.ios() <= 520, "commands " + r.ios());
            assertEquals(200.0, r.rateIops());
            assertTrue(r.label().endsWith(" at 200 IOPS"), r.label());
        }
    }

    @Test
    void aPacedCommandsLatencyRunsFromWhenItWasDue() throws Exception {
        // depth 1 at 2,000 a second against a LUN whose every read is delayed 5 ms: the one slot
        // can send 200 a second, so commands are due long before it is free, and their latency
        // from the due time grows with the backlog instead of staying at the 5 ms of service
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M")) {
            t.faults().add("delay=5ms,op=read");
            BenchResult r =
                    new LoadGenerator(t.address(), t.iqn(), 0)
                            .run(
                                    spec(Workload.RANDREAD, "4k", 1, 0, 1500, "uniform", 2000),
                                    p -> {});
            assertTrue(r.iops() < 400, "one slot cannot keep the rate: " + r.iops());
            assertTrue(
                    r.p99Micros() > 100_000,
                    "the backlog shows in the latency: p99 " + r.p99Micros() + " us");
            assertTrue(r.total().latencyMicros().min() >= 4_000, "no command under 5 ms service");
        }
    }

    @Test
    void aPureWorkloadHasAnEmptyOtherDirectionAndNoTargetCpuWithoutAClock() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M")) {
            BenchResult r =
                    new LoadGenerator(t.address(), t.iqn(), 0)
                            .run(spec(Workload.WRITE, "8k", 4, 0, 800, "uniform", 0), p -> {});
            assertEquals(0, r.read().ios());
            assertEquals(0, r.read().latencyMicros().max());
            assertTrue(r.read().histogram().isEmpty());
            assertEquals(r.ios(), r.write().ios());
            assertEquals(8192, r.blockSize());
            assertEquals(CpuUsage.PROCESS, r.cpu().clientSource());
            assertNull(r.cpu().targetMicrosPerCommand());
            assertNull(r.cpu().targetSource());
            assertNotNull(r.series());
        }
    }
}
