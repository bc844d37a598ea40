package org.iscsilab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.iscsilab.cli.bench.BenchResult;
import org.iscsilab.cli.bench.BenchSpec;
import org.iscsilab.cli.bench.LoadGenerator;
import org.iscsilab.cli.bench.Workload;
import org.iscsilab.core.LunSpec;
import org.iscsilab.core.store.Sizes;
import org.iscsilab.iscsi.initiator.IscsiUrl;
import org.iscsilab.server.EmbeddedTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code iscsilab bench}: drives a target with the Java initiator (like fio or iscsi-perf) and
 * prints a progress line each second, then a table (IOPS, MB/s, latency percentiles), optionally as
 * JSON. Without --target it benchmarks a target embedded in this process.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Benchmark an iSCSI LUN with the Java initiator: IOPS, MB/s and p50/p99/p99.9 latency.")
public final class BenchCommand implements Callable<Integer> {
    @Option(
            names = "--target",
            paramLabel = "URL",
            description =
                    "iscsi://HOST:PORT/IQN/LUN (default: an embedded target with the --lun below).")
    String target;

    @Option(
            names = "--lun",
            paramLabel = "SPEC",
            description =
                    "The embedded target's LUN, " + LunSpec.SYNTAX + " (default ${DEFAULT-VALUE}).")
    String lunSpec = LunSpec.DEFAULT;

    @Option(
            names = {"-w", "--workload"},
            description =
                    "read, write, rw, randread, randwrite, randrw (default ${DEFAULT-VALUE}).")
    String workload = "randread";

    @Option(
            names = {"-b", "--bs"},
            paramLabel = "SIZE",
            description = "Bytes per I/O, e.g. 4k, 1m (default ${DEFAULT-VALUE}).")
    String blockSize = "4k";

    @Option(
            names = {"-q", "--depth"},
            description = "Outstanding commands per session (default ${DEFAULT-VALUE}).")
    int depth = 32;

    @Option(
            names = {"-s", "--sessions"},
            description = "Sessions (default ${DEFAULT-VALUE}).")
    int sessions = 1;

    @Option(
            names = {"-t", "--duration"},
            paramLabel = "SECONDS",
            description = "Seconds to run (default ${DEFAULT-VALUE}).")
    double seconds = 10;

    @Option(
            names = "--ramp",
            paramLabel = "SECONDS",
            description =
                    "Seconds of load before measuring starts, for JIT warm-up (default ${DEFAULT-VALUE}).")
    double ramp = 0;

    @Option(
            names = "--mix",
            paramLabel = "READ%",
            description = "Reads in percent for rw/randrw (default ${DEFAULT-VALUE}).")
    int mix = 70;

    @Option(
            names = "--verify",
            description = "Stamp every written block with its LBA and check every block read.")
    boolean verify;

    @Option(names = "--seed", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as JSON.")
    Path json;

    @Spec CommandSpec command;

    /** Checks every option before the run; an error names the option and the value. */
    private void validate() {
        if (target != null) {
            check("--target", target, IscsiUrl::parse);
        }
        check("--lun", lunSpec, v -> LunSpec.parse(v).requireUsable());
        check("--workload", workload, Workload::parse);
        long bs;
        try {
            bs = Sizes.parse(blockSize);
        } catch (IllegalArgumentException e) {
            throw bad("--bs", blockSize, e.getMessage());
        }
        if (bs < 512 || bs % 512 != 0 || bs > 64L << 20) {
            throw bad("--bs", blockSize, "give a multiple of 512 bytes up to 64m, e.g. 4k");
        }
        if (depth < 1 || depth > 128) {
            throw bad("--depth", depth, "give 1 to 128 (the target's command window)");
        }
        if (sessions < 1) {
            throw bad("--sessions", sessions, "give 1 or more");
        }
        if (!(seconds > 0)) {
            throw bad("--duration", seconds, "give more than 0 seconds");
        }
        if (!(ramp >= 0)) {
            throw bad("--ramp", ramp, "give 0 or more seconds");
        }
        if (mix < 0 || mix > 100) {
            throw bad("--mix", mix, "give a percentage from 0 to 100");
        }
        if (json != null) {
            Path dir = json.toAbsolutePath().getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                throw bad("--json", json, "directory " + dir + " does not exist");
            }
        }
    }

    private <T> void check(String option, String value, Function<String, T> rule) {
        OptionChecks.check(command, option, value, rule);
    }

    private ParameterException bad(String option, Object value, String why) {
        return OptionChecks.bad(command, option, value, why);
    }

    @Override
    public Integer call() throws Exception {
        validate();
        BenchSpec spec =
                new BenchSpec(
                        Workload.parse(workload),
                        Math.toIntExact(Sizes.parse(blockSize)),
                        depth,
                        sessions,
                        Duration.ofMillis(Math.round(seconds * 1000)),
                        mix,
                        verify,
                        seed,
                        Duration.ofMillis(Math.round(ramp * 1000)));
        BenchResult r;
        if (target == null) {
            try (EmbeddedTarget t = EmbeddedTarget.start(lunSpec)) {
                r = run(new LoadGenerator(t.address(), t.iqn(), 0), spec);
            }
        } else {
            IscsiUrl url;
            try {
                url = IscsiUrl.parse(target);
                url.requireLun();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--target: " + e.getMessage());
            }
            r = run(new LoadGenerator(url.portal(), url.iqn(), url.lun()), spec);
        }
        printTable(List.of(r));
        if (json != null) {
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(json.toFile(), r);
            System.out.println("wrote " + json);
        }
        return r.errors() == 0 && r.verifyFailures() == 0 ? 0 : 1;
    }

    private static BenchResult run(LoadGenerator g, BenchSpec spec) throws Exception {
        System.err.println(
                "bench: " + spec.label() + " for " + spec.duration().toMillis() / 1000.0 + " s");
        return g.run(
                spec,
                p ->
                        System.err.printf(
                                "[%5.1fs] %,10.0f IOPS %9.1f MB/s  p99 %8.0f us  errors %d%n",
                                p.seconds(),
                                p.iops(),
                                p.megabytesPerSecond(),
                                p.p99Micros(),
                                p.errors()));
    }

    static void printTable(List<BenchResult> results) {
        System.out.printf(
                "%-32s %12s %10s %10s %10s %10s %8s%n",
                "workload", "IOPS", "MB/s", "p50 us", "p99 us", "p99.9 us", "errors");
        for (BenchResult r : results) {
            System.out.printf(
                    "%-32s %,12.0f %10.1f %10.0f %10.0f %10.0f %8d%n",
                    r.label(),
                    r.iops(),
                    r.megabytesPerSecond(),
                    r.p50Micros(),
                    r.p99Micros(),
                    r.p999Micros(),
                    r.errors() + r.verifyFailures());
        }
    }
}
