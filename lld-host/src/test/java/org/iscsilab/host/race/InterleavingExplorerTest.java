package org.iscsilab.host.race;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iscsilab.host.mid.Policy;
import org.junit.jupiter.api.Test;

/** Scenario C: every ordering of block, removal and an I/O, with and without sdev->state_mutex. */
class InterleavingExplorerTest {
    @Test
    void withoutTheStateMutexSomeOrderingLeavesADeletedDeviceWithAStoppedQueue() throws Exception {
        InterleavingExplorer.Result r =
                InterleavingExplorer.blockVersusRemoval(Policy.V4_13, false);
        System.out.println(r);
        assertTrue(r.orderings() > 1, "several orderings explored: " + r.orderings());
        assertTrue(r.violating() > 0, "the race is found");
        assertTrue(
                r.exampleViolations().stream().anyMatch(v -> v.contains("queue stopped")),
                r.toString());
    }

    @Test
    void withTheStateMutexNoOrderingBreaksAnInvariant() throws Exception {
        InterleavingExplorer.Result r = InterleavingExplorer.blockVersusRemoval(Policy.V4_13, true);
        System.out.println(r);
        assertTrue(r.orderings() > 1, "several orderings explored: " + r.orderings());
        assertEquals(0, r.violating(), r.toString());
    }

    @Test
    void anUnblocksLateWriteUndoesARemovalIn411ButNotUnderTheStateMutex() throws Exception {
        InterleavingExplorer.Result old =
                InterleavingExplorer.unblockVersusRemoval(Policy.V4_11, false);
        assertTrue(old.violating() > 0, old.toString());
        assertTrue(old.exampleViolations().get(0).contains("undid it"), old.toString());
        InterleavingExplorer.Result fixed =
                InterleavingExplorer.unblockVersusRemoval(Policy.V4_13, true);
        assertEquals(0, fixed.violating(), fixed.toString());
    }

    @Test
    void aGoingModuleHidesItsDevicesFromUnblockExceptUnderBartsPolicy() throws Exception {
        InterleavingExplorer.Result old =
                InterleavingExplorer.moduleGoingVersusUnblock(Policy.V4_11, false);
        assertTrue(old.violating() > 0, old.toString());
        InterleavingExplorer.Result bart =
                InterleavingExplorer.moduleGoingVersusUnblock(Policy.BART, false);
        assertEquals(0, bart.violating(), bart.toString());
        assertEquals(old.orderings(), bart.orderings());
    }

    @Test
    void from413AGoingModulesSkippedDeviceIsNoFaultSinceRemovalRestartsItsQueue() throws Exception {
        assertEquals(
                0, InterleavingExplorer.moduleGoingVersusUnblock(Policy.V4_13, true).violating());
        assertEquals(
                0, InterleavingExplorer.moduleGoingVersusUnblock(Policy.CURRENT, true).violating());
    }

    @Test
    void under411OnlyTheOrderingsThatHangRemovalAreFaults() throws Exception {
        InterleavingExplorer.Result r =
                InterleavingExplorer.blockVersusRemoval(Policy.V4_11, false);
        assertTrue(r.violating() > 0, r.toString());
        assertTrue(
                r.exampleViolations().stream().allMatch(v -> v.contains("invariant 1")),
                "no invariant 6 before v4.13: " + r);
    }

    /**
     * James's objection: an unblock without a module reference can call into freed LLD code. Under
     * bart some orderings dispatch the parked I/O after the exit returned; every policy that takes
     * the reference through scsi_device_get refuses the device in every ordering.
     */
    @Test
    void aLateUnblockCallsIntoAnUnloadedModuleOnlyUnderBartsPolicy() throws Exception {
        InterleavingExplorer.Result bart =
                InterleavingExplorer.lateUnblockVersusModuleExit(Policy.BART, false);
        assertTrue(bart.violating() > 0, bart.toString());
        assertTrue(
                bart.exampleViolations().get(0).contains("after its exit routine returned"),
                bart.toString());
        assertTrue(bart.violating() < bart.orderings(), "an early unblock is harmless: " + bart);
        for (Policy p : Policy.values()) {
            if (p != Policy.BART) {
                InterleavingExplorer.Result r =
                        InterleavingExplorer.lateUnblockVersusModuleExit(p, p.removalToDel());
                assertEquals(0, r.violating(), r.toString());
            }
        }
    }
}
