package org.iscsilab.guest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.host.trace.TraceEvent;
import org.iscsilab.host.trace.WireCorrelation;

/**
 * The Linux guest's causal trace, on the run's host clock (micros since QEMU started): the kernel's
 * own steps from kprobe events, what user space read from the sysfs state file, the kernel's
 * console messages (dmesg), and the target's event log. Guest uptime is put on the host clock by
 * the markers that carry both (a marker reaches the host a little after the guest wrote it, so the
 * smallest difference is the best estimate); console lines carry the time the host read them.
 */
final class GuestCausalTrace {
    static final String SYSFS_LANE = "user space: sysfs state file";
    static final String DMESG_LANE = "dmesg";

    private GuestCausalTrace() {}

    static List<TraceEvent> of(GuestRun run, KernelTrace kernel, List<EventLog.Event> target) {
        long offset = uptimeToRunMicros(run).orElse(0);
        List<TraceEvent> host = new ArrayList<>();
        for (TraceEvent e : kernel.causal()) {
            host.add(new TraceEvent(0, e.micros() + offset, e.lane(), e.name(), e.args()));
        }
        for (GuestMarker m : run.markers("STATE")) {
            host.add(
                    new TraceEvent(
                            0,
                            Math.round(Double.parseDouble(m.arg(0)) * 1_000_000) + offset,
                            SYSFS_LANE,
                            "state file reads " + m.arg(2),
                            Map.of("disk", m.arg(1))));
        }
        for (GuestRun.Row row : run.timeline()) {
            if (row.source().equals("kernel")) {
                host.add(
                        new TraceEvent(
                                0, row.hostMillis() * 1_000, DMESG_LANE, row.text(), Map.of()));
            }
        }
        List<WireCorrelation.AtTarget> wire =
                target.stream()
                        .map(
                                e ->
                                        new WireCorrelation.AtTarget(
                                                (e.timeMillis() - run.startEpochMillis()) * 1_000,
                                                e))
                        .toList();
        return WireCorrelation.merge(host, wire);
    }

    /**
     * What to add to a guest uptime to get the run's host clock, from the markers that carry the
     * guest's uptime: STATE, REMOVAL_START, REMOVAL_DONE and RELOGIN as their first argument,
     * BOOTED as its second.
     */
    static OptionalLong uptimeToRunMicros(GuestRun run) {
        OptionalLong best = OptionalLong.empty();
        for (GuestMarker m : run.markers()) {
            int at =
                    switch (m.kind()) {
                        case "STATE", "REMOVAL_START", "REMOVAL_DONE", "RELOGIN" -> 0;
                        case "BOOTED" -> 1;
                        default -> -1;
                    };
            if (at < 0 || m.args().size() <= at) {
                continue;
            }
            try {
                long uptime = Math.round(Double.parseDouble(m.arg(at)) * 1_000_000);
                long offset = m.hostMillis() * 1_000 - uptime;
                if (best.isEmpty() || offset < best.getAsLong()) {
                    best = OptionalLong.of(offset);
                }
            } catch (NumberFormatException notAnUptime) {
                // a marker of that kind without a time
            }
        }
        return best;
    }
}
