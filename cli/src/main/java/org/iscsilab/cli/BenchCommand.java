package org.iscsilab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.iscsilab.cli.bench.BenchReport;
import org.iscsilab.cli.bench.BenchResult;
import org.iscsilab.cli.bench.DirectionStats;
import org.iscsilab.cli.bench.LatencyStats;
import org.iscsilab.cli.bench.LoadGenerator;
import org.iscsilab.cli.bench.Percentiles;
import org.iscsilab.server.EmbeddedTarget;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code iscsilab bench}: drives a target with the Java initiator (like fio or iscsi-perf) and
 * prints a progress line each second, then a table (IOPS, MB/s, latency percentiles, CPU per
 * command), optionally as JSON and as an HTML or SVG report. Without --target it benchmarks a
 * target embedded in this process. With --job it runs the jobs of a YAML file one after another.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Benchmark an iSCSI LUN with the Java initiator: IOPS, MB/s, latency percentiles "
                        + "per direction, CPU per command; JSON and an HTML/SVG report.")
public final class BenchCommand implements Callable<Integer> {
    @Mixin BenchOptions options;

    @Option(
            names = "--percentiles",
            paramLabel = "P,P,...",
            description = "Latency percentiles to report (default ${DEFAULT-VALUE}).")
    String percentiles = "50,90,95,99,99.9,99.99";

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Also write the result as JSON; - writes it to standard output alone.")
    Path json;

    @Option(
            names = "--report",
            paramLabel = "FILE",
            description =
                    "Write a self-contained report with a latency histogram and time series: "
                            + "HTML, or SVG when FILE ends in .svg.")
    Path report;

    @Option(
            names = "--job",
            paramLabel = "FILE",
            description =
                    "Run the jobs of a YAML job file one after another (options given here "
                            + "override the file's).")
    Path jobFile;

    @Spec CommandSpec command;

    /** A checked job and its name (null without a job file). */
    private record Named(String name, BenchOptions.Job job) {}

    private boolean jsonToStdout() {
        return json != null && json.toString().equals("-");
    }

    /** Checks every option and every job before anything runs. */
    private List<Named> validate() {
        List<Double> pct =
                OptionChecks.check(command, "--percentiles", percentiles, Percentiles::parse);
        if (json != null && !jsonToStdout()) {
            writable("--json", json);
        }
        if (report != null) {
            writable("--report", report);
        }
        if (jobFile == null) {
            return List.of(new Named(null, options.check(command, System::getenv, pct)));
        }
        List<BenchJobs.Entry> entries;
        try {
            entries = BenchJobs.parse(Files.readString(jobFile));
        } catch (IOException e) {
            throw bad("--job", jobFile, "cannot read it: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw bad("--job", jobFile, e.getMessage());
        }
        List<String> overrides = commandLineOverrides();
        List<Named> jobs = new ArrayList<>();
        for (BenchJobs.Entry e : entries) {
            List<String> args = new ArrayList<>(e.args());
            args.addAll(overrides);
            CommandLine cl = BenchJobs.JobCommand.commandLine();
            try {
                cl.parseArgs(args.toArray(String[]::new));
                BenchJobs.JobCommand jc = cl.getCommand();
                jobs.add(
                        new Named(
                                e.name(),
                                jc.options.check(cl.getCommandSpec(), System::getenv, pct)));
            } catch (ParameterException x) {
                throw bad("--job", jobFile, "job '" + e.name() + "': " + x.getMessage());
            }
        }
        return jobs;
    }

    /** The job options given on this command line, as arguments that override a job file's. */
    private List<String> commandLineOverrides() {
        Set<String> jobKeys = BenchJobs.keys();
        List<String> args = new ArrayList<>();
        for (OptionSpec o :
                new LinkedHashSet<>(command.commandLine().getParseResult().matchedOptions())) {
            if (!jobKeys.contains(o.longestName().substring(2))) {
                continue;
            }
            if (o.originalStringValues().isEmpty()) {
                args.add(o.longestName());
            }
            for (String v : o.originalStringValues()) {
                args.add(o.longestName() + "=" + v);
            }
        }
        return args;
    }

    private void writable(String option, Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw bad(option, file, "directory " + dir + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw bad(option, file, "is a directory");
        }
    }

    private ParameterException bad(String option, Object value, String why) {
        return OptionChecks.bad(command, option, value, why);
    }

    @Override
    public Integer call() throws Exception {
        List<Named> jobs = validate();
        PrintWriter err = command.commandLine().getErr();
        PrintWriter human = jsonToStdout() ? err : command.commandLine().getOut();
        List<BenchResult> results = new ArrayList<>();
        for (Named n : jobs) {
            BenchResult r = run(n, err);
            results.add(n.name() == null ? r : r.named(n.name()));
        }
        printTable(human, results);
        if (json != null) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            Object doc = jobFile == null ? results.get(0) : Map.of("jobs", results);
            if (jsonToStdout()) {
                PrintWriter out = command.commandLine().getOut();
                out.println(mapper.writeValueAsString(doc));
                out.flush();
            } else {
                mapper.writeValue(json.toFile(), doc);
                human.println("wrote " + json);
            }
        }
        if (report != null) {
            BenchReport.write(report, results);
            human.println("wrote " + report);
        }
        human.flush();
        return results.stream().allMatch(r -> r.errors() == 0 && r.verifyFailures() == 0) ? 0 : 1;
    }

    private static BenchResult run(Named n, PrintWriter err) throws Exception {
        BenchOptions.Job job = n.job();
        err.printf(
                "bench: %s%s for %s s after a %s s ramp%n",
                n.name() == null ? "" : "job '" + n.name() + "': ",
                job.spec().label(),
                job.spec().duration().toMillis() / 1000.0,
                job.spec().ramp().toMillis() / 1000.0);
        err.flush();
        if (job.target() == null) {
            try (EmbeddedTarget t = EmbeddedTarget.start(job.lunSpec())) {
                if (job.login().chap() != null) {
                    // the embedded target asks for the credentials given, so the CHAP login is
                    // measured too
                    t.requireChap(job.login().chap(), job.login().mutualChap());
                }
                return new LoadGenerator(t.address(), t.iqn(), 0, job.login(), null, true)
                        .run(job.spec(), p -> progress(err, p));
            }
        }
        return new LoadGenerator(
                        job.target().portal(),
                        job.target().iqn(),
                        job.target().lun(),
                        job.login(),
                        job.targetCpu(),
                        false)
                .run(job.spec(), p -> progress(err, p));
    }

    /** "[ramp 1.0s] ..." during the ramp, "[ 3.0s] ..." in the measured window. */
    static void progress(PrintWriter err, LoadGenerator.Progress p) {
        String when =
                p.ramp()
                        ? String.format(Locale.ROOT, "[ramp %.1fs]", p.seconds())
                        : String.format(Locale.ROOT, "[%5.1fs]", p.seconds());
        StringBuilder line =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "%s %,10.0f IOPS %9.1f MB/s  p50 %7.0f us  p99 %7.0f us  errors %d",
                                when,
                                p.total().iops(),
                                p.total().megabytesPerSecond(),
                                p.total().p50(),
                                p.total().p99(),
                                p.errors()));
        if (p.read().ios() > 0 && p.write().ios() > 0) {
            line.append(
                    String.format(
                            Locale.ROOT,
                            "  (read %,.0f IOPS p99 %.0f us, write %,.0f IOPS p99 %.0f us)",
                            p.read().iops(),
                            p.read().p99(),
                            p.write().iops(),
                            p.write().p99()));
        }
        err.println(line);
        err.flush();
    }

    /**
     * One row per job (the measured totals), then, when a job mixed reads and writes, a row per job
     * and direction.
     */
    static void printTable(PrintWriter out, List<BenchResult> results) {
        List<String> keys =
                new ArrayList<>(results.get(0).total().latencyMicros().percentiles().keySet());
        List<String> header = new ArrayList<>(List.of("job", "IOPS", "MB/s"));
        keys.forEach(k -> header.add("p" + k + " us"));
        header.addAll(List.of("max us", "errors", "client CPU us/cmd", "target CPU us/cmd"));
        Table main = new Table(header.toArray(String[]::new));
        for (BenchResult r : results) {
            List<Object> row = new ArrayList<>();
            row.add(r.name() == null ? r.label() : r.name() + ": " + r.label());
            row.add(String.format(Locale.ROOT, "%,.0f", r.iops()));
            row.add(String.format(Locale.ROOT, "%.1f", r.megabytesPerSecond()));
            latencyCells(row, r.total().latencyMicros(), keys);
            row.add(String.format(Locale.ROOT, "%.0f", r.maxMicros()));
            row.add(r.errors() + r.verifyFailures());
            row.add(String.format(Locale.ROOT, "%.1f", r.cpu().clientMicrosPerCommand()));
            row.add(
                    r.cpu().targetMicrosPerCommand() == null
                            ? "-"
                            : String.format(Locale.ROOT, "%.1f", r.cpu().targetMicrosPerCommand()));
            main.row(row.toArray());
        }
        main.print(out);
        if (results.stream().anyMatch(BenchResult::mixed)) {
            List<String> h =
                    new ArrayList<>(
                            List.of("job", "direction", "IOPS", "MB/s", "mean us", "stdev us"));
            keys.forEach(k -> h.add("p" + k + " us"));
            h.add("max us");
            Table directions = new Table(h.toArray(String[]::new));
            for (BenchResult r : results) {
                if (!r.mixed()) {
                    continue;
                }
                for (String d : List.of("read", "write")) {
                    DirectionStats s = d.equals("read") ? r.read() : r.write();
                    List<Object> row = new ArrayList<>();
                    row.add(r.name() == null ? r.label() : r.name());
                    row.add(d);
                    row.add(String.format(Locale.ROOT, "%,.0f", s.iops()));
                    row.add(String.format(Locale.ROOT, "%.1f", s.megabytesPerSecond()));
                    row.add(String.format(Locale.ROOT, "%.0f", s.latencyMicros().mean()));
                    row.add(String.format(Locale.ROOT, "%.0f", s.latencyMicros().stdev()));
                    latencyCells(row, s.latencyMicros(), keys);
                    row.add(String.format(Locale.ROOT, "%.0f", s.latencyMicros().max()));
                    directions.row(row.toArray());
                }
            }
            out.println();
            directions.print(out);
        }
        for (BenchResult r : results) {
            out.println((r.name() == null ? "" : r.name() + ": ") + BenchReport.cpuText(r.cpu()));
        }
        out.flush();
    }

    private static void latencyCells(List<Object> row, LatencyStats l, List<String> keys) {
        for (String k : keys) {
            row.add(String.format(Locale.ROOT, "%.0f", l.percentiles().get(k)));
        }
    }
}
