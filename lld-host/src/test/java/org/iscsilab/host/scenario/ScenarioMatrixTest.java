package org.iscsilab.host.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.iscsilab.host.mid.Policy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The scenarios x policies matrix over a real iSCSI connection, against the scenarios of
 * docs/linux-midlayer.md expectations: outcome, the sysfs state the device shows last, and whether
 * SYNCHRONIZE CACHE reached the target during removal.
 */
class ScenarioMatrixTest {
    private static final ScenarioRunner RUNNER = new ScenarioRunner(Duration.ofMillis(2500));

    @ParameterizedTest(name = "{0} under {1}: {2}, last state {3}, SYNC CACHE on the wire {4}")
    @CsvSource({
        // A: K411 hangs showing cancel; Bart's unblock rescues it; James's state still hangs
        // (module GOING)
        // unless the SYNC CACHE is dropped; the upstream fix goes to deleted without sending
        // anything
        "A, v4.11, HUNG, cancel, false",
        "A, bart, COMPLETED, deleted, false",
        "A, cancel-block, HUNG, blocked, false",
        "A, cancel-block-drop-sync, COMPLETED, deleted, false",
        "A, v4.13, COMPLETED, deleted, false",
        "A, current, COMPLETED, deleted, false",
        // B: K411 hangs even after the relogin; bart and cancel-block finish at the relogin,
        // sending
        // SYNC CACHE over the recovered session; the fix finishes at once
        "B, v4.11, HUNG, cancel, false",
        "B, bart, COMPLETED, deleted, true",
        "B, cancel-block, COMPLETED, deleted, true",
        "B, cancel-block-drop-sync, COMPLETED, deleted, false",
        "B, v4.13, COMPLETED, deleted, false",
        "B, current, COMPLETED, deleted, false",
        // B-cascade: a logout after B waits under K411 for the scan_mutex the stuck delete holds
        // (iscsid's stack on 4.9.337); where the delete finished, the logout does too
        "B_CASCADE, v4.11, HUNG, cancel, false",
        "B_CASCADE, bart, COMPLETED, deleted, false",
        "B_CASCADE, cancel-block, COMPLETED, deleted, false",
        "B_CASCADE, cancel-block-drop-sync, COMPLETED, deleted, false",
        "B_CASCADE, v4.13, COMPLETED, deleted, false",
        "B_CASCADE, current, COMPLETED, deleted, false",
        // A with the disk open: the plain rmmod is refused first (EWOULDBLOCK), then as A
        "A_OPEN, v4.11, HUNG, cancel, false",
        "A_OPEN, current, COMPLETED, deleted, false",
        // dirty page cache, write cache off: fsync_bdev's writes park on the stopped queue, so
        // not sending SYNCHRONIZE CACHE (cancel-block-drop-sync) does not help; bart's unblock
        // restarts the queue and the writes are killed in CANCEL (the data is lost)
        "A_DIRTY, v4.11, HUNG, cancel, false",
        "A_DIRTY, bart, COMPLETED, deleted, false",
        "A_DIRTY, cancel-block, HUNG, blocked, false",
        "A_DIRTY, cancel-block-drop-sync, HUNG, blocked, false",
        "A_DIRTY, v4.13, COMPLETED, deleted, false",
        "A_DIRTY, current, COMPLETED, deleted, false",
        // a parked user read: blk_cleanup_queue waits on the stopped queue of a DEL device, which
        // no unblock restarts; only BLOCK -> DEL with a queue restart gets out
        "A_PARKED_IO, v4.11, HUNG, deleted, false",
        "A_PARKED_IO, bart, HUNG, deleted, false",
        "A_PARKED_IO, cancel-block, HUNG, deleted, false",
        "A_PARKED_IO, cancel-block-drop-sync, HUNG, deleted, false",
        "A_PARKED_IO, v4.13, COMPLETED, deleted, false",
        "A_PARKED_IO, current, COMPLETED, deleted, false",
        // three LUNs: the siblings run and serve I/O after the relogin while LUN 0's delete hangs
        "B_SIBLINGS, v4.11, HUNG, cancel, false",
        "B_SIBLINGS, cancel-block, COMPLETED, deleted, true",
        "B_SIBLINGS, current, COMPLETED, deleted, false",
        // B with two paths under dm-multipath and a writer through it: the write held on path
        // 1's stopped queue fails over only when that queue runs and fails it. K411 leaves it
        // stopped, so the multipath device's I/O stalls with the delete; dropping the SYNC CACHE
        // is not enough, because blk_cleanup_queue waits for that parked write on a DEL device
        // no unblock restarts (as in A-parked-user-io); where the relogin restarts the queue, or
        // BLOCK -> DEL restarts it, the write fails over and the delete completes
        "B_MP, v4.11, HUNG, cancel, false",
        "B_MP, bart, COMPLETED, deleted, true",
        "B_MP, cancel-block, COMPLETED, deleted, true",
        "B_MP, cancel-block-drop-sync, HUNG, deleted, false",
        "B_MP, v4.13, COMPLETED, deleted, false",
        "B_MP, current, COMPLETED, deleted, false",
        // both paths blocked: the writes wait (queue_if_no_path); after the thaw they complete
        // over path 2 exactly where B-mp's do
        "B_MP_ALL, v4.11, HUNG, cancel, false",
        "B_MP_ALL, cancel-block-drop-sync, HUNG, deleted, false",
        "B_MP_ALL, current, COMPLETED, deleted, false",
        // D: the positive control completes everywhere
        "D, v4.11, COMPLETED, deleted, false",
        "D, bart, COMPLETED, deleted, false",
        "D, cancel-block, COMPLETED, deleted, false",
        "D, cancel-block-drop-sync, COMPLETED, deleted, false",
        "D, v4.13, COMPLETED, deleted, false",
        "D, current, COMPLETED, deleted, false",
        // D': a forced unload of iscsi_tcp with a session alive: its exit unregisters the
        // transport, and transport_container_unregister BUG()s on the non-empty container, under
        // every policy; the device is left blocked
        "D2, v4.11, BUG, blocked, false",
        "D2, bart, BUG, blocked, false",
        "D2, cancel-block, BUG, blocked, false",
        "D2, cancel-block-drop-sync, BUG, blocked, false",
        "D2, v4.13, BUG, blocked, false",
        "D2, current, BUG, blocked, false",
        // the narrow race: DESTROY_SESSION holds rx_queue_mutex when the forced unload comes, so
        // the exit waits and the destroy's unblock meets a GOING module; K411 skips the device
        // (try_module_get fails) and hangs in sd's SYNCHRONIZE CACHE, as in A
        "D2_RACE, v4.11, HUNG, cancel, false",
        "D2_RACE, bart, COMPLETED, deleted, false",
        "D2_RACE, cancel-block, HUNG, blocked, false",
        "D2_RACE, cancel-block-drop-sync, COMPLETED, deleted, false",
        "D2_RACE, v4.13, COMPLETED, deleted, false",
        "D2_RACE, current, COMPLETED, deleted, false",
        // E: timeout, fast failure, relogin
        "E, v4.11, COMPLETED, running, false",
        "E, v4.13, COMPLETED, running, false",
        "E, current, COMPLETED, running, false",
        // F: writing running to a blocked device leaves its queue stopped until restrictions came
        "F, v4.11, HUNG, running, false",
        "F, v4.13, HUNG, running, false",
        "F, current, COMPLETED, running, false",
        // H: the transport fails while removal waits for SYNCHRONIZE CACHE. Without James's state
        // the block passes the CANCEL device by and the command bounces off the failed session
        // until the relogin; with it the device goes CANCEL -> CANCEL_BLOCK and waits stopped.
        // Either way the command reaches the target after the relogin.
        "H, v4.11, COMPLETED, deleted, true",
        "H, bart, COMPLETED, deleted, true",
        "H, cancel-block, COMPLETED, deleted, true",
        "H, cancel-block-drop-sync, COMPLETED, deleted, true",
        "H, v4.13, COMPLETED, deleted, true",
        "H, current, COMPLETED, deleted, true"
    })
    void matchesTheReference(
            String scenario,
            String policy,
            ScenarioReport.Outcome outcome,
            String lastState,
            boolean syncCacheOnWire)
            throws Exception {
        ScenarioReport r = RUNNER.run(Scenario.parse(scenario), Policy.parse(policy));
        String context = String.join("\n", r.timeline()) + "\nviolations: " + r.violations();
        assertEquals(outcome, r.outcome(), context);
        assertEquals(lastState, r.deviceStates().get(r.deviceStates().size() - 1), context);
        assertEquals(syncCacheOnWire, r.syncCacheOnWire(), context);
        assertEquals(r.sysfsStates().size(), r.multipathStates().size());
        if (outcome == ScenarioReport.Outcome.HUNG) {
            assertFalse(r.stuckCallChain().isEmpty(), "a hang names the stuck call chain");
            assertTrue(
                    r.violations().stream().anyMatch(v -> v.contains("did not finish")), context);
            if (Scenario.parse(scenario).paths() == 2) {
                assertTrue(
                        r.violations().stream().anyMatch(v -> v.contains("never failed over")),
                        "the hung delete holds the multipath device's write: " + context);
            }
        } else {
            assertEquals(List.of(), r.violations(), context);
        }
    }

    /**
     * Whether Bart's unblock visited CANCEL devices is unconfirmed; if it did not, it rescues
     * neither A nor B.
     */
    @ParameterizedTest(name = "{0} under bart without visiting CANCEL: HUNG")
    @CsvSource({"A", "B"})
    void bartWithoutVisitingCancelDevicesHangsLike411(String scenario) throws Exception {
        ScenarioReport r =
                new ScenarioRunner(Duration.ofMillis(2500))
                        .bartVisitsCancel(false)
                        .run(Scenario.parse(scenario), Policy.BART);
        assertEquals(ScenarioReport.Outcome.HUNG, r.outcome(), String.join("\n", r.timeline()));
        assertEquals("cancel", r.deviceStates().get(r.deviceStates().size() - 1));
    }

    /**
     * Without the watchdog this run would never return: removal waits on a stopped queue with no
     * deadline.
     */
    @Test
    @Timeout(30)
    void theWatchdogEndsAHungRemovalAndNamesWhereItIsStuck() throws Exception {
        ScenarioReport r =
                new ScenarioRunner(Duration.ofMillis(1000)).run(Scenario.A, Policy.V4_11);
        assertEquals(ScenarioReport.Outcome.HUNG, r.outcome());
        assertTrue(
                r.stuckCallChain().stream().anyMatch(f -> f.startsWith("ScsiDisk.remove")),
                r.stuckCallChain().toString());
        assertTrue(
                r.stuckCallChain().stream().anyMatch(f -> f.startsWith("KernelModule.unload")),
                "the chain runs from rmmod to sd's SYNCHRONIZE CACHE: " + r.stuckCallChain());
        assertEquals(List.of("running", "blocked", "cancel"), r.deviceStates());
        // user space: "cancel" until device_del removes the state file, then multipathd sees the
        // path go away (docs/linux-midlayer.md: 4.11 removes the attribute before DEL)
        assertEquals(List.of("running", "blocked", "cancel", "gone"), r.sysfsStates());
        assertEquals(
                List.of("PATH_UP", "PATH_PENDING", "PATH_DOWN", "PATH_REMOVED"),
                r.multipathStates());
    }

    @Test
    void underV411ALogoutAfterTheStuckDeleteWaitsInScsiRemoveHostForTheScanMutex()
            throws Exception {
        ScenarioReport r = RUNNER.run(Scenario.B_CASCADE, Policy.V4_11);
        assertEquals(ScenarioReport.Outcome.HUNG, r.outcome());
        assertTrue(
                r.stuckCallChain().stream().anyMatch(f -> f.startsWith("Removal.removeHost")),
                "stuck in scsi_remove_host: " + r.stuckCallChain());
        assertTrue(
                r.timeline().stream().anyMatch(l -> l.contains("still stuck (holding scan_mutex)")),
                String.join("\n", r.timeline()));
    }

    @Test
    void underCancelBlockATransportFailureDuringRemovalBlocksTheCancelDevice() throws Exception {
        ScenarioReport james = RUNNER.run(Scenario.H, Policy.CANCEL_BLOCK_STATE);
        assertEquals(
                List.of("running", "cancel", "blocked", "cancel", "deleted"),
                james.deviceStates(),
                String.join("\n", james.timeline()));
        ScenarioReport old = RUNNER.run(Scenario.H, Policy.V4_11);
        assertEquals(List.of("running", "cancel", "deleted"), old.deviceStates());
    }
}
