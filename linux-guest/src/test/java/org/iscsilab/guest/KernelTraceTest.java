package org.iscsilab.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.iscsilab.host.trace.TraceEvent;
import org.junit.jupiter.api.Test;

/** The guest's kprobe lines read back as the kernel's state machine, unblocks and sync calls. */
class KernelTraceTest {
    private static KernelTrace of(String... lines) {
        GuestRun run = new GuestRun();
        run.accept("@@ BOOTED 4.9.337 1.9");
        for (String l : lines) {
            run.accept("@@ KTRACE " + l);
        }
        return KernelTrace.of(run);
    }

    /**
     * Scenario B on 4.9 as kprobe events show it: the unblock at relogin skips the CANCEL device.
     */
    private static final String[] B_ON_4_9 = {
        "kworker/u2:1-20 [000] d... 3.101: set_state: (scsi_device_set_state+0x0/0x130) old=1"
                + " new=2",
        "kworker/u2:2-31 [000] d... 15.900: set_state: (scsi_device_set_state+0x0/0x130) old=2"
                + " new=8",
        "sh-160 [000] d... 16.300: set_state: (scsi_device_set_state+0x0/0x130) old=8 new=3",
        "sh-160 [000] d... 16.301: sync_cache: (sd_sync_cache+0x0/0x1a0)",
        "kworker/u2:0-5 [000] d... 37.500: target_unblock: (scsi_target_unblock+0x0/0x60) new=2",
        "kworker/u2:0-5 [000] d... 37.501: device_get: (scsi_device_get+0x0/0x70) state=3",
        "kworker/u2:0-5 [000] d... 37.501: device_get_ret: (starget_for_each_device+0x6f/0xf0 <-"
                + " scsi_device_get) ret=-6"
    };

    @Test
    void theStateSequenceStartsAtRunningAndFollowsSetState() {
        assertEquals(List.of("running", "blocked", "cancel"), of(B_ON_4_9).states());
    }

    @Test
    void anUnblockThatSkippedTheDeviceShowsAsARefusedGetWithoutDeviceUnblock() {
        KernelTrace t = of(B_ON_4_9);
        assertEquals(1, t.refusedGets().size());
        assertEquals(-6, t.refusedGets().get(0).number("ret", 0), "-ENXIO");
        assertTrue(t.unblocks().isEmpty());
        assertEquals(1, t.syncCaches().size());
        KernelTrace.Event e = t.refusedGets().get(0);
        assertEquals("kworker/u2:0", e.task());
        assertEquals(37.501, e.seconds(), 1e-9);
    }

    @Test
    void theUnblockWritesTheNewStateOfABlockedDeviceItself() {
        KernelTrace t =
                of(
                        "sh-1 [000] d... 1.0: set_state: (scsi_device_set_state+0x0/0x1) old=1 new=2",
                        "kw-2 [000] d... 2.0: set_state: (scsi_device_set_state+0x0/0x1) old=2 new=8",
                        "iscsid-3 [000] d... 3.0: device_unblock: (device_unblock+0x0/0x1) state=8"
                                + " new=7",
                        "iscsid-3 [000] d... 3.1: set_state: (scsi_device_set_state+0x0/0x1) old=7"
                                + " new=3",
                        "iscsid-3 [000] d... 3.2: device_unblock: (device_unblock+0x0/0x1) state=3"
                                + " new=2",
                        "iscsid-3 [000] d... 3.3: set_state: (scsi_device_set_state+0x0/0x1) old=3"
                                + " new=4");
        assertEquals(
                List.of("running", "blocked", "transport-offline", "cancel", "deleted"),
                t.states());
    }

    @Test
    void asACausalTraceTheUnblockAfterTheRelogonSkipsTheCancelDeviceAndSaysWhy() {
        List<TraceEvent> steps = of(B_ON_4_9).causal();
        TraceEvent skip =
                steps.stream()
                        .filter(e -> e.name().equals("unblock skips"))
                        .findFirst()
                        .orElseThrow();
        assertEquals("scsi_device_get refused the cancel device (-6)", skip.args().get("reason"));
        assertEquals("kworker/u2:0-5", skip.lane());
        TraceEvent sync =
                steps.stream()
                        .filter(e -> e.name().startsWith("sd_sync_cache"))
                        .findFirst()
                        .orElseThrow();
        assertEquals("sh-160", sync.lane(), "the sysfs writer's own lane");
        assertTrue(sync.sequence() < skip.sequence());
    }

    @Test
    void stateValuesAreNamedAsSysfsNamesThem() {
        assertEquals("transport-offline", KernelTrace.stateName(7));
        assertEquals("deleted", KernelTrace.stateName(4));
        assertEquals("state 42", KernelTrace.stateName(42));
    }

    @Test
    void withoutStateChangesTheTraceHasNoStates() {
        assertTrue(
                of("sh-1 [000] d... 1.0: sync_cache: (sd_sync_cache+0x0/0x1a0)")
                        .states()
                        .isEmpty());
        assertTrue(of("not a trace line").isEmpty());
    }
}
