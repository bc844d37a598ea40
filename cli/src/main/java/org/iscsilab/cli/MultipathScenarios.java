package org.iscsilab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.iscsilab.guest.GuestImage;
import org.iscsilab.guest.GuestMultipathRunner;
import org.iscsilab.guest.LinuxGuest;
import org.iscsilab.host.scenario.MultipathCase;
import org.iscsilab.host.scenario.MultipathReport;
import org.iscsilab.host.scenario.MultipathScenarioRunner;
import org.iscsilab.host.scenario.ScenarioReport;
import org.iscsilab.host.scenario.ScenarioTarget;

/**
 * {@code iscsilab scenario multipath} (or one case, M1 to M4): the failover cases against a target
 * of two portal groups, on the Java host's multipath model, on a Linux guest with dm-multipath, or
 * on both side by side.
 */
final class MultipathScenarios {
    /** The name of all four cases together. */
    static final String ALL = "multipath";

    private final PrintWriter out;
    private final PrintWriter err;

    MultipathScenarios(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    /** Whether a scenario name is "multipath" or one of its cases. */
    static boolean names(String name) {
        if (name.equalsIgnoreCase(ALL)) {
            return true;
        }
        try {
            MultipathCase.parse(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static List<MultipathCase> cases(String name) {
        return name.toLowerCase(Locale.ROOT).equals(ALL)
                ? List.of(MultipathCase.values())
                : List.of(MultipathCase.parse(name));
    }

    /**
     * Runs the cases on the hosts {@code host} names (java, linux-vm or both); one run per host.
     */
    List<MultipathReport.Run> run(String name, String host, Consumer<String> console)
            throws Exception {
        List<MultipathCase> cases = cases(name);
        List<MultipathReport.Run> runs = new ArrayList<>();
        if (!host.equals("linux-vm")) {
            err.printf("running %s on the Java host...%n", name);
            try (ScenarioTarget target = ScenarioTarget.twoPortalGroups(null)) {
                runs.add(new MultipathScenarioRunner().run(cases, target));
            }
        }
        if (!host.equals("java")) {
            GuestImage image = GuestImage.ensure(GuestMultipathRunner.SERIES);
            err.printf(
                    "running %s on linux %s with dm-multipath (budget %d s)...%n",
                    name,
                    image.kernelRelease(),
                    GuestMultipathRunner.budget(cases.size()).toSeconds());
            try (ScenarioTarget target =
                    ScenarioTarget.twoPortalGroups(LinuxGuest.HOST_FROM_GUEST)) {
                runs.add(new GuestMultipathRunner(image).echo(console).run(cases, target));
            }
        }
        return runs;
    }

    /** One row per case, one column per host; the paths while broken when one host ran. */
    void print(List<MultipathReport.Run> runs) {
        String format = "%-28s" + " %-64s".repeat(runs.size()) + "%n";
        List<Object> header = new ArrayList<>(List.of("case"));
        runs.forEach(r -> header.add(hostName(r)));
        out.printf(format, header.toArray());
        int cases = runs.get(0).cases().size();
        for (int i = 0; i < cases; i++) {
            List<Object> row = new ArrayList<>(List.of(runs.get(0).cases().get(i).caseId()));
            List<Object> detail = new ArrayList<>(List.of(""));
            for (MultipathReport.Run run : runs) {
                MultipathReport r = run.cases().get(i);
                row.add(r.outcome() + (r.findings().isEmpty() ? "" : ": " + r.findings().get(0)));
                detail.add(
                        "  "
                                + r.writesWhileBroken()
                                + " writes while broken, longest pause "
                                + r.longestPauseMillis()
                                + " ms, "
                                + r.ioErrors()
                                + " I/O errors");
            }
            out.printf(format, row.toArray());
            out.printf(format, detail.toArray());
        }
        List<Object> verified = new ArrayList<>(List.of("blocks verified"));
        for (MultipathReport.Run run : runs) {
            verified.add(
                    run.blocksVerified()
                            + " of "
                            + (run.written() == null ? "?" : run.written().blocks())
                            + (run.mismatches().isEmpty() ? "" : ", " + run.mismatches().get(0)));
        }
        out.printf(format, verified.toArray());
        if (runs.size() == 1) {
            MultipathReport.Run run = runs.get(0);
            out.println();
            out.println("paths at the start:");
            run.topologyAtStart().forEach(l -> out.println("  " + l));
            for (MultipathReport r : run.cases()) {
                out.println(r.caseId() + ", paths while broken:");
                r.topologyWhileBroken().forEach(l -> out.println("  " + l));
            }
        }
        out.flush();
    }

    private static String hostName(MultipathReport.Run run) {
        MultipathReport first = run.cases().get(0);
        return first.host().equals("java") ? first.kernel() : "linux " + first.kernel();
    }

    void writeJson(List<MultipathReport.Run> runs, Path json) throws IOException {
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(json.toFile(), runs);
        out.println("wrote " + json);
        out.flush();
    }

    /**
     * The exit code: with an expected outcome, 0 when every case ended so; without one, 0 when
     * every case completed and every block verified.
     */
    int verdict(List<MultipathReport.Run> runs, ScenarioReport.Outcome expect) {
        List<String> other = new ArrayList<>();
        for (MultipathReport.Run run : runs) {
            for (MultipathReport r : run.cases()) {
                ScenarioReport.Outcome want =
                        expect == null ? ScenarioReport.Outcome.COMPLETED : expect;
                if (r.outcome() != want) {
                    other.add(r.caseId() + " on " + hostName(run) + ": " + r.outcome());
                }
            }
            if (expect == null && !run.passed()) {
                other.add(
                        run.blocksVerified()
                                + " of "
                                + MultipathScenarioRunner.BLOCKS
                                + " blocks verified on "
                                + hostName(run)
                                + (run.mismatches().isEmpty()
                                        ? ""
                                        : ": " + run.mismatches().get(0)));
            }
        }
        if (other.isEmpty()) {
            return CliErrors.SUCCESS;
        }
        err.println(
                "iscsilab scenario: "
                        + (expect == null ? "" : "expected " + expect + ", but ")
                        + String.join("; ", other));
        err.flush();
        return CliErrors.FAILED;
    }
}
