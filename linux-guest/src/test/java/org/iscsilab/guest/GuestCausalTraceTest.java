package org.iscsilab.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.host.trace.TraceEvent;
import org.iscsilab.host.trace.WireCorrelation;
import org.junit.jupiter.api.Test;

/**
 * The guest's causal trace puts its four sources on one clock: kprobe events, sysfs polls, dmesg
 * and the target's event log.
 */
class GuestCausalTraceTest {
    @Test
    void kprobesSysfsPollsDmesgAndTheTargetLogShareOneTraceInTimeOrder() {
        GuestRun run = new GuestRun();
        run.accept("@@ BOOTED 4.9.337 1.9");
        run.accept("@@ STATE 13.39 sda blocked");
        run.accept("[   13.99] sd 6:0:0:0: [sda] Synchronizing SCSI cache");
        run.accept(
                "@@ KTRACE sh-160 [000] d... 13.40: set_state: (scsi_device_set_state+0x0/0x130)"
                        + " old=8 new=3");
        run.accept("@@ KTRACE sh-160 [000] d... 13.41: sync_cache: (sd_sync_cache+0x0/0x1a0)");
        run.accept(
                "@@ KTRACE kworker/u2:0-5 [000] d... 15.50: target_unblock:"
                        + " (scsi_target_unblock+0x0/0x60) new=2");
        run.accept(
                "@@ KTRACE kworker/u2:0-5 [000] d... 15.51: device_get:"
                        + " (scsi_device_get+0x0/0x70) state=3");
        run.accept(
                "@@ KTRACE kworker/u2:0-5 [000] d... 15.51: device_get_ret:"
                        + " (starget_for_each_device+0x6f/0xf0 <- scsi_device_get) ret=-6");
        long t0 = run.startEpochMillis();
        List<EventLog.Event> target =
                List.of(
                        new EventLog.Event(
                                7,
                                t0,
                                EventLog.Type.LOGIN,
                                "iqn.g",
                                1,
                                -1,
                                -1,
                                -1,
                                0,
                                "HELD",
                                "frozen by a fault rule",
                                -1),
                        new EventLog.Event(
                                8,
                                t0 + 5,
                                EventLog.Type.COMMAND,
                                "iqn.g",
                                1,
                                0,
                                0x28,
                                0,
                                8,
                                "GOOD",
                                null,
                                0x40));

        List<TraceEvent> trace = GuestCausalTrace.of(run, KernelTrace.of(run), target);

        Set<String> lanes = trace.stream().map(TraceEvent::lane).collect(Collectors.toSet());
        assertTrue(
                lanes.containsAll(
                        Set.of(
                                GuestCausalTrace.SYSFS_LANE,
                                GuestCausalTrace.DMESG_LANE,
                                WireCorrelation.TARGET_LANE)),
                lanes.toString());
        for (int i = 1; i < trace.size(); i++) {
            assertEquals(i + 1, trace.get(i).sequence());
            assertTrue(trace.get(i - 1).micros() <= trace.get(i).micros(), trace.toString());
        }
        TraceEvent sync = find(trace, "sd_sync_cache");
        TraceEvent skip = find(trace, "unblock skips");
        TraceEvent poll = find(trace, "state file reads blocked");
        assertTrue(poll.sequence() < sync.sequence() && sync.sequence() < skip.sequence());
        assertEquals(2_100_000, skip.micros() - sync.micros(), "kprobe times keep their spacing");
        assertTrue(sync.args().get("reached the target").startsWith("no"), sync.toString());
        assertTrue(skip.args().get("reason").contains("cancel"), skip.toString());
    }

    private static TraceEvent find(List<TraceEvent> trace, String prefix) {
        return trace.stream()
                .filter(e -> e.name().startsWith(prefix))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " in " + trace));
    }
}
