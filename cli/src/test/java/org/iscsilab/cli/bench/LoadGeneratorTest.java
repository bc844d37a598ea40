package org.iscsilab.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.Test;

/**
 * The bench load generator keeps its depth, verifies what it reads, and reports sane numbers (not a
 * timing test).
 */
class LoadGeneratorTest {
    @Test
    void aVerifiedMixedRunHasNoErrorsAndSaneNumbers() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:64M")) {
            List<LoadGenerator.Progress> ticks = new ArrayList<>();
            BenchResult r =
                    new LoadGenerator(t.address(), t.iqn(), 0)
                            .run(
                                    new BenchSpec(
                                            Workload.RANDRW,
                                            8192,
                                            8,
                                            2,
                                            Duration.ofMillis(2500),
                                            50,
                                            true,
                                            7,
                                            Duration.ZERO),
                                    ticks::add);
            assertEquals(0, r.errors());
            assertEquals(0, r.verifyFailures());
            assertTrue(r.ios() > 100, "some I/O happened: " + r);
            assertEquals(r.bytes(), r.ios() * 8192);
            assertTrue(
                    r.p50Micros() > 0
                            && r.p50Micros() <= r.p99Micros()
                            && r.p99Micros() <= r.p999Micros(),
                    r.toString());
            assertTrue(ticks.size() >= 2, "a progress line per second");
            assertTrue(
                    t.events().commandsRecorded(0x8A) > 0 && t.events().commandsRecorded(0x88) > 0,
                    "both reads and writes reached the target");
        }
    }

    @Test
    void whatTheRampDoesIsNotReported() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M")) {
            Duration ramp = Duration.ofMillis(1000);
            Duration measured = Duration.ofMillis(1000);
            long readsBefore = t.events().commandsRecorded(0x88);
            long started = System.nanoTime();
            BenchResult r =
                    new LoadGenerator(t.address(), t.iqn(), 0)
                            .run(
                                    new BenchSpec(
                                            Workload.RANDREAD,
                                            4096,
                                            4,
                                            1,
                                            measured,
                                            100,
                                            false,
                                            3,
                                            ramp),
                                    p -> {});
            double wallSeconds = (System.nanoTime() - started) / 1e9;
            // a running total, not the event ring: ramp and run together can exceed what the ring
            // holds
            long reads = t.events().commandsRecorded(0x88) - readsBefore;
            assertTrue(
                    r.ios() > 0 && r.ios() < reads,
                    "the reads of the ramp went to the target but not into the "
                            + "result: "
                            + r.ios()
                            + " reported of "
                            + reads);
            // the window opens when the ramp is due to end and closes with the last completion
            // after the deadline,
            // however late a loaded machine runs: bounds that hold without timing the machine
            assertTrue(
                    r.seconds() >= measured.toMillis() / 1000.0 * 0.99,
                    "the whole measured duration is reported: " + r.seconds());
            assertTrue(
                    r.seconds() <= wallSeconds - ramp.toMillis() / 1000.0,
                    "the measured time excludes the ramp: "
                            + r.seconds()
                            + " s of a "
                            + wallSeconds
                            + " s run");
        }
    }

    @Test
    void verificationCatchesCorruptedReads() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M")) {
            LoadGenerator g = new LoadGenerator(t.address(), t.iqn(), 0);
            g.run(
                    new BenchSpec(
                            Workload.WRITE,
                            4096,
                            4,
                            1,
                            Duration.ofMillis(1500),
                            0,
                            true,
                            1,
                            Duration.ZERO),
                    p -> {});
            t.faults().add("corrupt,op=read");
            BenchResult r =
                    g.run(
                            new BenchSpec(
                                    Workload.READ,
                                    4096,
                                    4,
                                    1,
                                    Duration.ofMillis(800),
                                    100,
                                    true,
                                    1,
                                    Duration.ZERO),
                            p -> {});
            assertTrue(r.verifyFailures() > 0, "flipped bits are noticed: " + r);
        }
    }

    @Test
    void badSpecsAreExplained() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new BenchSpec(
                                        Workload.READ,
                                        1000,
                                        1,
                                        1,
                                        Duration.ofSeconds(1),
                                        0,
                                        false,
                                        1,
                                        Duration.ZERO));
        assertTrue(e.getMessage().contains("multiple of 512"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Workload.parse("randomish"));
    }
}
