package org.iscsilab.guest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.iscsilab.host.scenario.MultipathCase;
import org.iscsilab.host.scenario.MultipathReport;
import org.iscsilab.host.scenario.ScenarioReport;
import org.iscsilab.host.scenario.ScenarioTarget;
import org.iscsilab.host.scenario.StampedBlocks;

/**
 * Runs {@link MultipathCase}s in one boot of a Linux guest with dm-multipath (the {@value #SERIES}
 * image: Debian 12's generic kernel with the ALUA device handler, multipath-tools 0.9.4, udev)
 * against a target reached through two portal groups: the guest logs in through both, multipathd
 * builds one map of two paths, a stamped writer runs through it, and on each of the guest's awaits
 * the host breaks and then restores the paths as the case says.
 */
public final class GuestMultipathRunner {
    /** The guest image series with dm-multipath. */
    public static final String SERIES = "6.1-multipath";

    /** The guest's initiator name: the cases' fault rules are scoped to it. */
    public static final String INITIATOR = GuestScenarioRunner.INITIATOR;

    /** Blocks of 4 KiB the writer rewrites in rounds. */
    public static final int BLOCKS = 256;

    private final GuestImage image;
    private Consumer<String> echo = line -> {};

    public GuestMultipathRunner(GuestImage image) {
        this.image = image;
    }

    /** Sees the guest's console lines as they arrive. */
    public GuestMultipathRunner echo(Consumer<String> echo) {
        this.echo = echo;
        return this;
    }

    /**
     * A hard budget for a run of {@code cases}: boot, login and map (a minute), and two minutes per
     * case, which the slowest (M2, M4: NOP timeout, replacement timeout, relogin) stay well under.
     */
    public static Duration budget(int cases) {
        return Duration.ofMinutes(1 + 2L * cases);
    }

    public MultipathReport.Run run(List<MultipathCase> cases, ScenarioTarget target)
            throws Exception {
        Map<MultipathCase, List<Integer>> rules = new HashMap<>();
        Map<MultipathCase, String> hostFailures = new ConcurrentHashMap<>();
        LinuxGuest guest =
                LinuxGuest.of(image)
                        .target(target.portal().getPort(), target.iqn())
                        .env("GUEST_INITIATOR", INITIATOR)
                        .env(
                                "GUEST_MP_CASES",
                                cases.stream().map(Enum::name).collect(Collectors.joining(" ")))
                        .env("GUEST_MP_BLOCKS", Integer.toString(BLOCKS))
                        // a frozen path is noticed by its NOP-Outs within 4 s, and its commands
                        // fail over 5 s later (multipathd sets the same fast_io_fail_tmo)
                        .env("GUEST_NOOP_INTERVAL", "2")
                        .env("GUEST_NOOP_TIMEOUT", "2")
                        .env("GUEST_REPLACEMENT_TIMEOUT", "5")
                        .script(script())
                        .timeout(budget(cases.size()))
                        .echo(echo);
        for (MultipathCase c : cases) {
            guest.onAwait(
                    c.name() + "-fault",
                    run -> {
                        try {
                            rules.put(c, c.breakPaths(target, INITIATOR));
                        } catch (Exception e) {
                            hostFailures.put(c, "breaking the paths failed: " + e.getMessage());
                            throw e;
                        }
                        run.note(c.id() + ": paths broken");
                    });
            guest.onAwait(
                    c.name() + "-restore",
                    run -> {
                        try {
                            c.restore(target, rules.getOrDefault(c, List.of()));
                        } catch (Exception e) {
                            hostFailures.put(c, "restoring the paths failed: " + e.getMessage());
                            throw e;
                        }
                        run.note(c.id() + ": paths restored");
                    });
        }
        GuestRun run = guest.run();
        return report(cases, run, hostFailures);
    }

    private MultipathReport.Run report(
            List<MultipathCase> cases, GuestRun run, Map<MultipathCase, String> hostFailures) {
        List<MultipathReport> reports = new ArrayList<>();
        for (MultipathCase c : cases) {
            reports.add(report(c, run, hostFailures.get(c)));
        }
        int verified = run.marker("VERIFIED").map(m -> (int) m.number("blocks", 0)).orElse(0);
        List<String> mismatches =
                run.markers("MISMATCH").stream().map(GuestMarker::toString).toList();
        StampedBlocks written =
                run.marker("WROTE")
                        .map(
                                m ->
                                        new StampedBlocks(
                                                (int) m.number("blocks", 0),
                                                (int) m.number("round", 0),
                                                (int) m.number("block", -1),
                                                (int) m.number("failed_round", -1),
                                                (int) m.number("failed_block", -1)))
                        .orElse(null);
        return new MultipathReport.Run(
                reports, written, verified, mismatches, topology(run, "start"));
    }

    /**
     * One case's report; {@code hostFailure} says how the host failed to break or restore its paths
     * (then the case cannot have shown anything: FAILED), or is null.
     */
    private MultipathReport report(MultipathCase c, GuestRun run, String hostFailure) {
        String name = c.name();
        List<String> findings = new ArrayList<>();
        if (hostFailure != null) {
            findings.add(hostFailure);
        }
        boolean started = run.markers("CASE_START").stream().anyMatch(m -> m.arg(0).equals(name));
        boolean ended = run.markers("CASE_END").stream().anyMatch(m -> m.arg(0).equals(name));
        int errors =
                (int)
                        run.markers("WRITE_ERROR").stream()
                                .filter(m -> m.arg(0).equals(name))
                                .count();
        int whileBroken =
                c.noPathLeft()
                        ? writes(run, "HELD", name)
                        : writes(run, "PROGRESS", name + "-fault");
        boolean resumed =
                run.markers("PROGRESS").stream()
                        .anyMatch(
                                m -> m.arg(0).equals(name + "-restored") && m.value("ms") != null);
        long pause =
                run.markers("PAUSE").stream()
                        .filter(m -> m.arg(0).equals(name))
                        .mapToLong(m -> m.number("ms", -1))
                        .max()
                        .orElse(-1);
        if (!started) {
            findings.add("not run: the guest stopped before it");
        } else if (!ended) {
            run.markers("FAIL").forEach(m -> findings.add(String.join(" ", m.args())));
            if (run.timedOut()) {
                findings.add("the guest did not finish within its budget");
            }
        }
        if (errors > 0) {
            findings.add(errors + " write error(s) reached the writer");
        }
        ScenarioReport.Outcome outcome;
        if (ended && errors == 0 && resumed && hostFailure == null) {
            outcome = ScenarioReport.Outcome.COMPLETED;
        } else if (started && !ended && run.timedOut()) {
            outcome = ScenarioReport.Outcome.HUNG;
        } else {
            outcome = ScenarioReport.Outcome.FAILED;
        }
        return new MultipathReport(
                c.id(),
                "linux-vm",
                image.kernelRelease(),
                outcome,
                whileBroken,
                pause,
                errors,
                resumed,
                topology(run, name + "-fault"),
                topology(run, name + "-restored"),
                findings);
    }

    /** The "writes=N" of the first marker of this kind and label, or -1. */
    private static int writes(GuestRun run, String kind, String label) {
        return run.markers(kind).stream()
                .filter(m -> m.arg(0).equals(label))
                .mapToInt(m -> (int) m.number("writes", -1))
                .filter(n -> n >= 0)
                .findFirst()
                .orElse(-1);
    }

    /** The multipath -ll and path lines the guest printed under this label. */
    private static List<String> topology(GuestRun run, String label) {
        return run.markers("MPATH").stream()
                .filter(m -> m.arg(0).equals(label))
                .map(m -> String.join(" ", m.args().subList(1, m.args().size())))
                .toList();
    }

    private static String script() throws IOException {
        try (InputStream in = GuestMultipathRunner.class.getResourceAsStream("scenarios/M.sh")) {
            if (in == null) {
                throw new IOException("guest script M.sh is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
