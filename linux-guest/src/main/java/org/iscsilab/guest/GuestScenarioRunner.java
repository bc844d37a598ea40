package org.iscsilab.guest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.host.mid.MultipathView;
import org.iscsilab.host.scenario.ScenarioReport;
import org.iscsilab.host.scenario.ScenarioTarget;
import org.iscsilab.host.scenario.TransportFailure;
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

    /**
     * How long after the relogin a removal that has not returned counts as HUNG (scenario B; the
     * guest then prints its kernel stack and resets).
     */
    private Duration hangAfter = Duration.ofSeconds(20);

    private Consumer<String> echo = line -> {};

    public GuestScenarioRunner(GuestImage image) {
        this.image = image;
    }

    /** How long S and S2 keep commands stalled before the host lifts the stall. */
    public GuestScenarioRunner stall(Duration stall) {
        this.stall = stall;
        return this;
    }

    /** How long after the relogin a removal that has not returned is HUNG. */
    public GuestScenarioRunner hangAfter(Duration hangAfter) {
        this.hangAfter = hangAfter;
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
                        .env("GUEST_HANG_AFTER", Long.toString(hangAfter.toSeconds()))
                        .env(
                                "GUEST_SDEV_STATE_OFFSET",
                                image.sdevStateOffset() < 0
                                        ? ""
                                        : "0x" + Integer.toHexString(image.sdevStateOffset()))
                        .script(resource("attach.sh") + resource(scenario.script()))
                        .timeout(Duration.ofMinutes(3).plus(stall))
                        .echo(echo)
                        .onAwait(
                                "freeze",
                                run -> {
                                    attached[0] = target.eventsRecorded();
                                    rules.add(
                                            target.addFault(
                                                    TransportFailure.freezeRule(INITIATOR)));
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
        KernelTrace trace = KernelTrace.of(run);
        // user space's view is what the guest read from sysfs; the device's own sequence comes
        // from kprobe events where the harness knows where sdev_state lies (the 4.9 image, whose
        // state file is gone as soon as a removal starts), else from those reads
        List<String> states = run.sysfsStates();
        List<String> deviceStates =
                image.sdevStateOffset() >= 0 && !trace.states().isEmpty()
                        ? trace.states()
                        : states.stream().filter(s -> !s.equals("gone")).toList();
        List<String> stuck =
                run.markers("STACK").stream()
                        .filter(m -> m.arg(0).equals("delete"))
                        .map(GuestScenarioRunner::function)
                        .filter(f -> !f.isEmpty())
                        .toList();
        List<String> multipath =
                states.stream()
                        .map(s -> MultipathView.of("gone".equals(s) ? null : s).name())
                        .toList();
        long removalMillis = removalMillis(run);
        ScenarioReport.Outcome outcome;
        if (!run.succeeded()) {
            outcome = run.timedOut() ? ScenarioReport.Outcome.HUNG : ScenarioReport.Outcome.FAILED;
        } else if (run.marker("HUNG").isPresent()) {
            outcome =
                    ScenarioReport.Outcome.HUNG; // the removal had not returned long after relogin
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
                findings(run, trace),
                timeline,
                stuck,
                targetEvents,
                "linux-vm",
                image.kernelRelease(),
                "the kernel itself: Linux " + image.kernelRelease(),
                GuestCausalTrace.of(run, trace, events),
                deviceStates);
    }

    /**
     * What went wrong, and for a hang what shows it: the removal still running after the relogin
     * (invariant 1 of docs/linux-midlayer.md: removal ends in bounded time), the kprobe evidence of
     * the unblock that skipped the device, and the logout stuck behind the removal.
     */
    private List<String> findings(GuestRun run, KernelTrace trace) {
        List<String> out = new ArrayList<>(run.problems());
        if (run.markers("HUNG").stream().anyMatch(m -> m.arg(0).equals("removal"))) {
            out.add(
                    "the removal had not returned "
                            + hangAfter.toSeconds()
                            + " s after the relogin (invariant 1: removal ends in bounded time)");
            List<KernelTrace.Event> refused = trace.refusedGets();
            if (!refused.isEmpty()) {
                out.add(
                        "kernel: scsi_device_get refused the device "
                                + refused.size()
                                + " times (ret "
                                + refused.get(0).number("ret", 0)
                                + ", -ENXIO), first at "
                                + refused.get(0).seconds()
                                + " s in "
                                + refused.get(0).at()
                                + "; device_unblock ran "
                                + trace.unblocks().size()
                                + " times");
            }
        }
        if (run.markers("HUNG").stream().anyMatch(m -> m.arg(0).equals("logout"))) {
            List<String> iscsid =
                    run.markers("STACK").stream()
                            .filter(m -> m.arg(0).equals("iscsid"))
                            .map(GuestScenarioRunner::function)
                            .filter(f -> !f.isEmpty())
                            .limit(6)
                            .toList();
            out.add(
                    "a logout after it hangs as well: iscsid stuck in "
                            + String.join(" <- ", iscsid));
        }
        return out;
    }

    /** "[<ffffffff8131f114>] blk_execute_rq+0x94/0x120" names blk_execute_rq. */
    private static final Pattern FRAME =
            Pattern.compile("(?:\\[<[0-9a-f]+>\\]\\s*)?([\\w.]+)\\+0x");

    static String function(GuestMarker stackLine) {
        Matcher m =
                FRAME.matcher(
                        String.join(" ", stackLine.args().subList(1, stackLine.args().size())));
        return m.find() ? m.group(1) : "";
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
