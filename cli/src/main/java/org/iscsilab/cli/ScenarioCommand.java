package org.iscsilab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.iscsilab.guest.GuestImage;
import org.iscsilab.guest.GuestScenario;
import org.iscsilab.guest.GuestScenarioRunner;
import org.iscsilab.guest.KernelImage;
import org.iscsilab.guest.LinuxGuest;
import org.iscsilab.host.mid.Policy;
import org.iscsilab.host.race.InterleavingExplorer;
import org.iscsilab.host.scenario.MultipathReport;
import org.iscsilab.host.scenario.Scenario;
import org.iscsilab.host.scenario.ScenarioReport;
import org.iscsilab.host.scenario.ScenarioRunner;
import org.iscsilab.host.scenario.ScenarioTarget;
import org.iscsilab.host.trace.TraceExport;
import org.iscsilab.iscsi.initiator.IscsiUrl;
import org.iscsilab.server.admin.AdminAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code iscsilab scenario NAME|all}: runs the scenarios of docs/linux-midlayer.md on the Java host
 * against an embedded target over iSCSI and prints what the device went through, or the whole
 * matrix.
 */
@Command(
        name = "scenario",
        mixinStandardHelpOptions = true,
        description =
                "Run a mid-layer scenario (A-lld-unload-blocked, A-open-disk-pins-module, "
                        + "A-dirty-page-cache, A-parked-user-io, B-remove-blocked-lun, B-several-luns, "
                        + "B-mp-remove-blocked-path, B-mp-both-paths-blocked, "
                        + "B-cascade-logout-after-stuck-delete, C-block-remove-race, D-logout-while-recovering, D2-forced-unload-while-recovering, "
                        + "D2-race-forced-unload-vs-destroy, E-timeout-then-relogin, "
                        + "F-sysfs-state-write, H-transport-fails-during-removal) under a policy, 'all' for the "
                        + "scenarios x policies matrix, or 'races' for the four explored races "
                        + "(every ordering, every policy); or 'multipath' for the failover cases "
                        + "(M1-group-unavailable, M2-portal-frozen, M3-transition-then-standby, "
                        + "M4-all-paths-down-queued) over two portal groups, on the Java host's "
                        + "multipath model, a Linux guest with dm-multipath, or both.",
        footer = Policy.PROVENANCE_HELP)
public final class ScenarioCommand implements Callable<Integer> {
    @Parameters(
            paramLabel = "NAME",
            description =
                    "A scenario (its letter or name), all, races, or multipath (or one of its"
                            + " cases, M1 to M4).")
    String name;

    @Option(
            names = "--policy",
            paramLabel = "POLICY",
            description =
                    "v4.11, bart, cancel-block, cancel-block-drop-sync, v4.13 or current (default ${DEFAULT-VALUE}; "
                            + "ignored by all, which runs every policy).")
    String policy = "v4.11";

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    private boolean policySet;

    @Option(
            names = "--limit",
            paramLabel = "MILLIS",
            description =
                    "How long a step may take before it counts as HUNG (default ${DEFAULT-VALUE}).")
    long limitMillis = 3000;

    @Option(
            names = "--bart-visits-cancel",
            paramLabel = "true|false",
            arity = "1",
            description =
                    "bart only: whether its target unblock also visits devices in CANCEL; the 2017 patch "
                            + "does not say, and it decides scenarios A and B (default ${DEFAULT-VALUE}).")
    boolean bartVisitsCancel = true;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Also write the reports as a JSON list.")
    Path json;

    @Option(
            names = "--trace",
            paramLabel = "FILE",
            description =
                    "Also write each run's causal trace (every thread's steps in order: state changes, "
                            + "unblocks with the devices they visited or skipped and why, queue stops, "
                            + "SYNCHRONIZE CACHE) as a Chrome/Perfetto trace JSON, and beside it one Mermaid "
                            + "sequence diagram per run (FILE-N.mmd).")
    Path trace;

    @Option(
            names = "--target",
            paramLabel = "URL",
            description =
                    "Run against a running iscsilab target, iscsi://HOST:PORT/IQN (its LUN 0 is used; "
                            + "default: a target embedded in this process).")
    String targetUrl;

    @Option(
            names = "--admin",
            paramLabel = "HOST:PORT",
            description = "The admin API of the --target (default ${DEFAULT-VALUE}).")
    String admin = "127.0.0.1:9260";

    @Option(
            names = "--host",
            paramLabel = "java|linux-vm|both",
            description =
                    "Which host runs the scenario: the Java mid-layer (default), a real Linux kernel with "
                            + "open-iscsi booted under QEMU (scenarios R, B, D, E, S, S2; needs qemu-system-x86, open-iscsi, "
                            + "kmod, xz-utils, cpio and apt access to Debian's kernel packages), or both side by side "
                            + "(B, D, E; each policy beside a kernel of its generation: v4.11 and the 2017 "
                            + "proposals beside 4.9, v4.13 and current beside 6.1, unless --kernel says).")
    String host = "java";

    @Option(
            names = "--kernel",
            paramLabel = "SERIES",
            description =
                    "linux-vm and both: the guest kernel: 6.1 or 6.12 (Debian's cloud kernels), or 4.9 (a "
                            + "kernel image with the initiator built in, bzImage-4.9.N from "
                            + GuestImage.KERNEL_DIR_ENV
                            + "). Default 6.1; with --host both, the kernel of --policy's generation.")
    String kernel = "6.1";

    @Option(
            names = "--kernel-image",
            paramLabel = "FILE",
            description =
                    "linux-vm and both: boot this kernel image (an x86 bzImage with the iSCSI "
                            + "initiator, sd, virtio-net and kprobe events built in) instead of --kernel.")
    Path kernelImage;

    @Option(
            names = "--stall",
            paramLabel = "SECONDS",
            description =
                    "linux-vm only: how long S and S2 keep commands stalled (default ${DEFAULT-VALUE}).")
    long stallSeconds = 40;

    @Option(
            names = "--console",
            description = "linux-vm only: print the guest's console as it runs.")
    boolean console;

    @Option(
            names = "--expect",
            paramLabel = "OUTCOME",
            description =
                    "COMPLETED, HUNG, FAILED or BUG: exit 0 only when every scenario run ends so, else 1 "
                            + "(without it: 0 unless an invariant broke).")
    ScenarioReport.Outcome expect;

    @Override
    public Integer call() throws Exception {
        validate();
        if (MultipathScenarios.names(name)) {
            return runMultipath();
        }
        if (host.equals("linux-vm")) {
            return runOnLinux();
        }
        if (host.equals("both")) {
            policySet = spec.commandLine().getParseResult().hasMatchedOption("--policy");
            return runSideBySide();
        }
        if (!host.equals("java")) {
            throw new IllegalArgumentException("--host is java or linux-vm, not '" + host + "'");
        }
        ScenarioRunner runner =
                new ScenarioRunner(Duration.ofMillis(limitMillis))
                        .bartVisitsCancel(bartVisitsCancel);
        List<ScenarioReport> reports = new ArrayList<>();
        if (name.equalsIgnoreCase("all")) {
            for (Scenario s : Scenario.values()) {
                for (Policy p : Policy.values()) {
                    System.err.printf("running %s under %s...%n", s.id(), p.label());
                    reports.add(run(runner, s, p));
                }
            }
            printMatrix(reports);
            printRace();
            System.out.println();
            System.out.flush();
            MultipathScenarios m =
                    new MultipathScenarios(
                            spec.commandLine().getOut(), spec.commandLine().getErr());
            m.print(m.run(MultipathScenarios.ALL, "java", line -> {}));
        } else if (name.equalsIgnoreCase("races")) {
            printRace();
        } else if (name.equalsIgnoreCase("C") || name.equalsIgnoreCase("C-block-remove-race")) {
            Policy p = Policy.parse(policy);
            for (boolean mutex :
                    p.removalToDel() ? new boolean[] {true, false} : new boolean[] {false}) {
                InterleavingExplorer.Result r = InterleavingExplorer.blockVersusRemoval(p, mutex);
                System.out.printf(
                        "C-block-remove-race under %s%s: %d orderings, %d break an invariant%n",
                        p,
                        mutex
                                ? " with the state mutex"
                                : p.removalToDel() ? " without the state mutex" : "",
                        r.orderings(),
                        r.violating());
                if (!r.example().isEmpty()) {
                    System.out.println("  first bad ordering: " + String.join(" | ", r.example()));
                    r.exampleViolations().forEach(v -> System.out.println("  - " + v));
                }
            }
            return 0;
        } else {
            Scenario s = Scenario.parse(name);
            ScenarioReport r = run(runner, s, Policy.parse(policy));
            reports.add(r);
            printOne(s, r);
        }
        writeOutputs(reports);
        return verdict(reports, CliErrors.SUCCESS);
    }

    /**
     * The multipath cases on the host(s) --host names, each against an embedded target of two
     * portal groups; a Linux guest always boots the 6.1-multipath image.
     */
    private int runMultipath() throws Exception {
        MultipathScenarios m =
                new MultipathScenarios(spec.commandLine().getOut(), spec.commandLine().getErr());
        List<MultipathReport.Run> runs =
                m.run(name, host, console ? System.err::println : line -> {});
        m.print(runs);
        if (json != null) {
            m.writeJson(runs, json);
        }
        return m.verdict(runs, expect);
    }

    /** The guest image the options name: --kernel-image, else --kernel. */
    private GuestImage guestImage(String series) throws Exception {
        return kernelImage != null
                ? GuestImage.ofKernelImage(kernelImage)
                : GuestImage.ensure(series);
    }

    /**
     * B, D and E on the Java host and on the real kernel, one table: a policy beside a kernel of
     * its generation unless the options pair them otherwise.
     */
    private int runSideBySide() throws Exception {
        boolean kernelSet =
                kernelImage != null
                        || spec.commandLine().getParseResult().hasMatchedOption("--kernel");
        Policy p =
                policySet
                        ? Policy.parse(policy)
                        : kernelSet && kernelSeries().equals("4.9") ? Policy.V4_11 : Policy.CURRENT;
        GuestImage image = guestImage(kernelSet ? kernel : p.realKernelSeries());
        System.err.printf(
                "Java host under %s: models %s; beside linux %s%n",
                p.label(), p.models(), image.kernelRelease());
        GuestScenarioRunner guest =
                new GuestScenarioRunner(image).echo(console ? System.err::println : line -> {});
        ScenarioRunner java =
                new ScenarioRunner(Duration.ofMillis(limitMillis))
                        .bartVisitsCancel(bartVisitsCancel);
        List<GuestScenario> which =
                name.equalsIgnoreCase("all")
                        ? List.of(GuestScenario.B, GuestScenario.D, GuestScenario.E)
                        : List.of(GuestScenario.parse(name));
        List<ScenarioReport[]> rows = new ArrayList<>();
        for (GuestScenario g : which) {
            if (g.javaHostScenario() == null) {
                throw new IllegalArgumentException(
                        g.id() + " runs on the Linux guest only; compare B, D or E");
            }
            System.err.printf(
                    "running %s on the Java host (%s) and on linux %s...%n",
                    g.id(), p.label(), image.kernelRelease());
            ScenarioReport j = run(java, g.javaHostScenario(), p);
            ScenarioReport l;
            try (ScenarioTarget target = ScenarioTarget.embedded(LinuxGuest.HOST_FROM_GUEST)) {
                l = guest.run(g, target);
            }
            rows.add(new ScenarioReport[] {j, l});
        }
        String format = "%-28s %-44s %-44s%n";
        System.out.printf(
                format, "scenario", "Java host, " + p.label(), "linux " + image.kernelRelease());
        for (ScenarioReport[] r : rows) {
            System.out.printf(format, r[0].scenario(), cell(r[0]), cell(r[1]));
            System.out.printf(
                    format,
                    "",
                    "  " + String.join(" -> ", r[0].deviceStates()),
                    "  " + String.join(" -> ", r[1].deviceStates()));
        }
        List<ScenarioReport> all = new ArrayList<>();
        rows.forEach(r -> all.addAll(List.of(r)));
        writeOutputs(all);
        return verdict(all(rows), CliErrors.SUCCESS);
    }

    /** The reports as JSON (--json) and their causal traces (--trace), where asked for. */
    private void writeOutputs(List<ScenarioReport> reports) throws IOException {
        if (json != null) {
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(json.toFile(), reports);
            System.out.println("wrote " + json);
        }
        if (trace != null) {
            List<TraceExport.Process> processes = new ArrayList<>();
            for (ScenarioReport r : reports) {
                String host = r.host().equals("java") ? "Java host, " + r.policy() : r.policy();
                processes.add(
                        new TraceExport.Process(r.scenario() + " on " + host, r.causalTrace()));
            }
            Files.writeString(trace, TraceExport.chrome(processes));
            String base = trace.getFileName().toString().replaceFirst("\\.json$", "");
            for (int i = 0; i < processes.size(); i++) {
                Files.writeString(
                        trace.resolveSibling(base + "-" + (i + 1) + ".mmd"),
                        TraceExport.mermaid(processes.get(i)));
            }
            System.out.println(
                    "wrote "
                            + trace
                            + " and "
                            + processes.size()
                            + " Mermaid diagram(s) beside it");
        }
    }

    /** The series of the kernel the options name. */
    private String kernelSeries() throws Exception {
        return kernelImage != null ? KernelImage.read(kernelImage).series() : kernel;
    }

    /** Checks every option before a scenario runs; an error names the option and the value. */
    private void validate() {
        check("--policy", policy, Policy::parse);
        if (limitMillis < 1) {
            throw bad("--limit", limitMillis, "give 1 or more milliseconds");
        }
        if (!List.of("java", "linux-vm", "both").contains(host)) {
            throw bad("--host", host, "use java, linux-vm or both");
        }
        if (!GuestImage.SERIES.contains(kernel)) {
            throw bad("--kernel", kernel, "use one of " + GuestImage.SERIES);
        }
        if (kernelImage != null && !Files.isRegularFile(kernelImage)) {
            throw bad("--kernel-image", kernelImage, "no such file");
        }
        if (stallSeconds < 1) {
            throw bad("--stall", stallSeconds, "give 1 or more seconds");
        }
        for (String option : List.of("--json", "--trace")) {
            Path file = option.equals("--json") ? json : trace;
            Path dir = file == null ? null : file.toAbsolutePath().getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                throw bad(option, file, "directory " + dir + " does not exist");
            }
        }
        if (targetUrl != null) {
            check("--target", targetUrl, IscsiUrl::parse);
        }
        check("--admin", admin, AdminAddress::parse);
        var matched = spec.commandLine().getParseResult();
        if (targetUrl != null && isTwoPathScenario(name)) {
            throw bad(
                    "--target",
                    targetUrl,
                    name + " needs a target of two portal groups; it runs against an embedded one");
        }
        if (MultipathScenarios.names(name)) {
            for (String option :
                    List.of(
                            "--target",
                            "--admin",
                            "--kernel",
                            "--kernel-image",
                            "--trace",
                            "--policy",
                            "--limit",
                            "--stall",
                            "--bart-visits-cancel")) {
                if (matched.hasMatchedOption(option)) {
                    throw bad(
                            option,
                            matched.matchedOptionValue(option, ""),
                            "the multipath cases run against an embedded target of two portal"
                                    + " groups, on the 6.1-multipath guest, with the current"
                                    + " policy and their own timeouts, without a causal trace");
                }
            }
        }
        if (expect != null
                && (name.equalsIgnoreCase("C")
                        || name.equalsIgnoreCase("C-block-remove-race")
                        || name.equalsIgnoreCase("races"))) {
            throw bad("--expect", expect, name + " explores orderings and has no single outcome");
        }
    }

    /** Whether NAME is one of the scenarios that run with two paths under multipath. */
    private static boolean isTwoPathScenario(String name) {
        try {
            return Scenario.parse(name).paths() == 2;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private <T> void check(String option, String value, Function<String, T> rule) {
        OptionChecks.check(spec, option, value, rule);
    }

    private ParameterException bad(String option, Object value, String why) {
        return OptionChecks.bad(spec, option, value, why);
    }

    /**
     * The exit code: with --expect, 0 when every run ended with that outcome, else 1; without it,
     * {@code withoutExpectation}.
     */
    private int verdict(List<ScenarioReport> reports, int withoutExpectation) {
        if (expect == null) {
            return withoutExpectation;
        }
        List<String> other =
                reports.stream()
                        .filter(r -> r.outcome() != expect)
                        .map(r -> r.scenario() + " under " + r.policy() + ": " + r.outcome())
                        .toList();
        if (other.isEmpty()) {
            return CliErrors.SUCCESS;
        }
        spec.commandLine()
                .getErr()
                .println(
                        "iscsilab scenario: expected "
                                + expect
                                + ", but "
                                + String.join("; ", other));
        spec.commandLine().getErr().flush();
        return CliErrors.FAILED;
    }

    private static List<ScenarioReport> all(List<ScenarioReport[]> rows) {
        List<ScenarioReport> all = new ArrayList<>();
        rows.forEach(r -> all.addAll(List.of(r)));
        return all;
    }

    private static String cell(ScenarioReport r) {
        return r.outcome()
                + (r.removalMillis() >= 0 ? " in " + r.removalMillis() + " ms" : "")
                + (r.syncCacheOnWire() ? ", SYNC on wire" : "");
    }

    /** The guest scenarios on a real kernel, each against a fresh target. */
    private int runOnLinux() throws Exception {
        GuestImage image = guestImage(kernel);
        GuestScenarioRunner runner =
                new GuestScenarioRunner(image)
                        .stall(Duration.ofSeconds(stallSeconds))
                        .echo(console ? System.err::println : line -> {});
        List<GuestScenario> which =
                name.equalsIgnoreCase("all")
                        ? List.of(GuestScenario.values())
                        : List.of(GuestScenario.parse(name));
        List<ScenarioReport> reports = new ArrayList<>();
        for (GuestScenario s : which) {
            System.err.printf("running %s on linux %s...%n", s.id(), image.kernelRelease());
            try (ScenarioTarget target =
                    targetUrl == null
                            ? ScenarioTarget.embedded(LinuxGuest.HOST_FROM_GUEST)
                            : ScenarioTarget.remote(targetUrl, admin)) {
                ScenarioReport r = runner.run(s, target);
                reports.add(r);
                System.out.println(
                        "scenario " + r.scenario() + " on " + r.policy() + ": " + s.description());
                printReport(r);
                System.out.println();
            }
        }
        if (which.size() > 1) {
            System.out.printf(
                    "%-34s %-10s %-10s %-6s %s%n",
                    "scenario", "outcome", "removal", "sync", "sysfs states");
            for (ScenarioReport r : reports) {
                System.out.printf(
                        "%-34s %-10s %-10s %-6s %s%n",
                        r.scenario(),
                        r.outcome(),
                        r.removalMillis() < 0 ? "-" : r.removalMillis() + " ms",
                        r.syncCacheOnWire() ? "yes" : "no",
                        String.join(" -> ", r.sysfsStates()));
            }
        }
        writeOutputs(reports);
        return verdict(
                reports,
                reports.stream().allMatch(r -> r.violations().isEmpty())
                        ? CliErrors.SUCCESS
                        : CliErrors.FAILED);
    }

    private ScenarioReport run(ScenarioRunner runner, Scenario s, Policy p) throws Exception {
        return targetUrl == null ? runner.run(s, p) : runner.run(s, p, targetUrl, admin);
    }

    /** A race explored over every ordering, per policy. */
    @FunctionalInterface
    private interface Race {
        InterleavingExplorer.Result explore(Policy p, boolean stateMutex)
                throws InterruptedException;
    }

    /**
     * Scenario C and the other three races of docs/linux-midlayer.md: every ordering, per policy.
     */
    private static void printRace() throws InterruptedException {
        Race[] races = {
            InterleavingExplorer::blockVersusRemoval,
            InterleavingExplorer::unblockVersusRemoval,
            InterleavingExplorer::moduleGoingVersusUnblock,
            InterleavingExplorer::lateUnblockVersusModuleExit
        };
        for (Race race : races) {
            List<InterleavingExplorer.Result> results = new ArrayList<>();
            for (Policy p : Policy.values()) {
                results.add(race.explore(p, p.removalToDel()));
            }
            results.add(race.explore(Policy.V4_13, false));
            System.out.println();
            System.out.println(
                    results.get(0).race() + ": every ordering at the kernel's lock-free gaps");
            System.out.printf(
                    "%-36s %10s %10s  %s%n",
                    "policy", "orderings", "violating", "first bad ordering");
            for (InterleavingExplorer.Result r : results) {
                String name =
                        r.policy()
                                + (r.stateMutex()
                                        ? " (state mutex)"
                                        : Policy.parse(r.policy()).removalToDel()
                                                ? " without state mutex"
                                                : "");
                System.out.printf(
                        "%-36s %10d %10d  %s%n",
                        name,
                        r.orderings(),
                        r.violating(),
                        r.example().isEmpty()
                                ? "-"
                                : String.join(" | ", r.example()) + " => " + r.exampleViolations());
            }
        }
    }

    private static void printOne(Scenario s, ScenarioReport r) {
        System.out.println(
                "scenario " + r.scenario() + " under " + r.policy() + ": " + s.description());
        printReport(r);
    }

    private static void printReport(ScenarioReport r) {
        System.out.println();
        r.timeline().forEach(l -> System.out.println("  " + l));
        System.out.println();
        System.out.println("modelled after:   " + r.provenance());
        System.out.println("device states:    " + String.join(" -> ", r.deviceStates()));
        System.out.println("sysfs states:     " + String.join(" -> ", r.sysfsStates()));
        System.out.println("multipathd sees:  " + String.join(" -> ", r.multipathStates()));
        System.out.println("what reached the target after attach:");
        collapseRepeats(r.targetEvents()).forEach(e -> System.out.println("  " + e));
        System.out.println(
                "SYNC CACHE on the wire during removal: " + (r.syncCacheOnWire() ? "yes" : "no"));
        System.out.println(
                "outcome: "
                        + r.outcome()
                        + (r.removalMillis() >= 0 ? " after " + r.removalMillis() + " ms" : ""));
        if (!r.stuckCallChain().isEmpty()) {
            System.out.println("stuck in: " + String.join(" <- ", r.stuckCallChain()));
        }
        System.out.println("violations: " + (r.violations().isEmpty() ? "none" : ""));
        r.violations().forEach(v -> System.out.println("  - " + v));
    }

    /** Runs of the same event as one line with a count: "command 0x28 LUN 0: GOOD (x40)". */
    static List<String> collapseRepeats(List<String> events) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < events.size()) {
            int j = i;
            while (j + 1 < events.size() && events.get(j + 1).equals(events.get(i))) {
                j++;
            }
            out.add(events.get(i) + (j > i ? " (x" + (j - i + 1) + ")" : ""));
            i = j + 1;
        }
        return out;
    }

    private static void printMatrix(List<ScenarioReport> reports) {
        StringBuilder sb = new StringBuilder(String.format("%-36s", "scenario"));
        for (Policy p : Policy.values()) {
            sb.append(String.format(" %-24s", p.label()));
        }
        System.out.println(sb);
        for (Scenario s : Scenario.values()) {
            StringBuilder row = new StringBuilder(String.format("%-36s", s.id()));
            for (Policy p : Policy.values()) {
                for (ScenarioReport r : reports) {
                    if (r.scenario().equals(s.id()) && r.policy().equals(p.label())) {
                        String last =
                                r.deviceStates().isEmpty()
                                        ? "-"
                                        : r.deviceStates().get(r.deviceStates().size() - 1);
                        row.append(
                                String.format(
                                        " %-24s",
                                        r.outcome()
                                                + " "
                                                + last
                                                + (r.syncCacheOnWire() ? " +sync" : "")));
                    }
                }
            }
            System.out.println(row);
        }
        System.out.println(
                "cells: outcome, the device's last sysfs state, +sync when SYNCHRONIZE CACHE reached the target");
    }
}
