package org.iscsilab.guest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.host.mid.MultipathView;
import org.iscsilab.host.scenario.ScenarioReport;
import org.iscsilab.host.scenario.ScenarioTarget;
import org.iscsilab.scsi.ScsiOpcode;

/**
 * Runs a {@link GuestScenario} on the real kernel of a Linux guest against an iscsilab target and
 * reports it in the Java host's {@link ScenarioReport} form: the policy column names the kernel.
 * The host side adds and lifts the fault rules when the guest script awaits them.
 */
public final class GuestScenarioRunner {
    /** The guest's initiator name: fault rules are scoped to it. */
    public static final String INITIATOR = "iqn.2026-11.org.iscsilab:linux-guest";

    private final GuestImage image;
    private Duration stall = Duration.ofSeconds(40);
    private Consumer<String> echo = line -> {};

    public GuestScenarioRunner(GuestImage image) {
        this.image = image;
    }

    /** How long S and S2 keep commands stalled before the host lifts the stall. */
    public GuestScenarioRunner stall(Duration stall) {
        this.stall = stall;
        return this;
    }

    /** Sees the guest's console lines as they arrive. */
    public GuestScenarioRunner echo(Consumer<String> echo) {
        this.echo = echo;
        return this;
    }

    public ScenarioReport run(GuestScenario scenario, ScenarioTarget target) throws Exception {
        List<Integer> rules = new ArrayList<>();
        long[] attached = {target.eventsRecorded()};
        LinuxGuest guest =
                LinuxGuest.of(image)
                        .target(target.portal().getPort(), target.iqn())
                        .env("GUEST_INITIATOR", INITIATOR)
                        .env("GUEST_REPLACEMENT_TIMEOUT", scenario == GuestScenario.E ? "5" : "120")
                        .env("GUEST_SCSI_TIMEOUT", "10")
                        .env("GUEST_ABORT_TIMEOUT", "5")
                        .env("GUEST_LU_RESET_TIMEOUT", "10")
                        .env("GUEST_TGT_RESET_TIMEOUT", "10")
                        .script(resource("attach.sh") + resource(scenario.script()))
                        .timeout(Duration.ofMinutes(3).plus(stall))
                        .echo(echo)
                        .onAwait(
                                "freeze",
                                run -> {
                                    attached[0] = target.eventsRecorded();
                                    rules.add(target.addFault("freeze,initiator=" + INITIATOR));
                                    run.note("fault: freeze the guest's connections");
                                })
                        .onAwait(
                                "thaw",
                                run -> {
                                    liftAll(target, rules);
                                    run.note("fault lifted: thaw");
                                })
                        .onAwait(
                                "stall",
                                run -> {
                                    attached[0] = target.eventsRecorded();
                                    String hang =
                                            scenario == GuestScenario.S2
                                                    ? "hang,timeout=3s"
                                                    : "hang";
                                    rules.add(
                                            target.addFault(
                                                    hang + ",lun=0,initiator=" + INITIATOR));
                                    if (scenario == GuestScenario.S) {
                                        rules.add(
                                                target.addFault(
                                                        "ignore-tmf,initiator=" + INITIATOR));
                                    }
                                    run.note(
                                            "fault: "
                                                    + hang
                                                    + " on LUN 0"
                                                    + (scenario == GuestScenario.S
                                                            ? " and ignore-tmf"
                                                            : "")
                                                    + " (NOP-Outs still answered)");
                                })
                        .onAwait(
                                "lift",
                                run -> {
                                    Optional<GuestMarker> done =
                                            run.waitFor(
                                                    m -> m.kind().equals("REMOVAL_DONE"),
                                                    stall.toMillis());
                                    run.note(
                                            done.isPresent()
                                                    ? "removal finished during the stall"
                                                    : "removal still running after the "
                                                            + stall.toSeconds()
                                                            + " s stall; lifting it");
                                    liftAll(target, rules);
                                });
        GuestRun run = guest.run();
        return report(scenario, run, target.eventsAfter(attached[0]));
    }

    private static void liftAll(ScenarioTarget target, List<Integer> rules) throws Exception {
        for (int id : rules) {
            target.removeFault(id);
        }
        rules.clear();
    }

    private ScenarioReport report(
            GuestScenario scenario, GuestRun run, List<EventLog.Event> events) {
        List<String> states = run.sysfsStates();
        List<String> multipath =
                states.stream()
                        .map(s -> MultipathView.of("gone".equals(s) ? null : s).name())
                        .toList();
        long removalMillis = removalMillis(run);
        ScenarioReport.Outcome outcome;
        if (!run.succeeded()) {
            outcome = run.timedOut() ? ScenarioReport.Outcome.HUNG : ScenarioReport.Outcome.FAILED;
        } else if (scenario.stall() && removalMillis >= stall.toMillis()) {
            outcome =
                    ScenarioReport.Outcome
                            .HUNG; // removal lasted as long as the stall: only lifting it ended it
        } else {
            outcome = ScenarioReport.Outcome.COMPLETED;
        }
        boolean syncOnWire =
                events.stream()
                        .anyMatch(
                                e ->
                                        (e.type() == EventLog.Type.COMMAND
                                                        || e.type() == EventLog.Type.FAULT)
                                                && (e.opcode() == ScsiOpcode.SYNCHRONIZE_CACHE_10
                                                        || e.opcode()
                                                                == ScsiOpcode
                                                                        .SYNCHRONIZE_CACHE_16));
        List<String> timeline = run.timeline().stream().map(GuestRun.Row::toString).toList();
        List<String> targetEvents = events.stream().map(ScenarioTarget::describe).toList();
        return new ScenarioReport(
                scenario.id(),
                "linux " + image.kernelRelease(),
                outcome,
                removalMillis,
                states,
                multipath,
                syncOnWire,
                run.problems(),
                timeline,
                List.of(),
                targetEvents);
    }

    /** From the guest's REMOVAL_START to REMOVAL_DONE (guest uptime), or -1. */
    static long removalMillis(GuestRun run) {
        Optional<GuestMarker> start = run.marker("REMOVAL_START");
        Optional<GuestMarker> done = run.marker("REMOVAL_DONE");
        if (start.isEmpty() || done.isEmpty()) {
            return -1;
        }
        return Math.round(
                (Double.parseDouble(done.get().arg(0)) - Double.parseDouble(start.get().arg(0)))
                        * 1000);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = GuestScenarioRunner.class.getResourceAsStream("scenarios/" + name)) {
            if (in == null) {
                throw new IOException(
                        "guest scenario script " + name + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
