package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.iscsilab.guest.GuestImage;
import org.iscsilab.guest.GuestScenario;
import org.iscsilab.guest.GuestScenarioRunner;
import org.iscsilab.guest.LinuxGuest;
import org.iscsilab.host.scenario.ScenarioReport;
import org.iscsilab.host.scenario.ScenarioTarget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Faults from the fault API seen by the real kernel (Debian's 6.1 cloud kernel, open-iscsi): what
 * its devices go through, as a scenario report like the Java host's.
 */
class LinuxGuestFaultsIT {
    private static final Duration STALL = Duration.ofSeconds(30);
    private static GuestScenarioRunner runner;

    @BeforeAll
    static void image() throws Exception {
        GuestImage image = GuestSupport.image("6.1");
        runner = new GuestScenarioRunner(image).stall(STALL);
    }

    private static ScenarioReport run(GuestScenario s) throws Exception {
        try (ScenarioTarget target = ScenarioTarget.embedded(LinuxGuest.HOST_FROM_GUEST)) {
            ScenarioReport r = runner.run(s, target);
            System.out.println(
                    "scenario "
                            + r.scenario()
                            + " on "
                            + r.policy()
                            + ": "
                            + r.outcome()
                            + (r.removalMillis() >= 0
                                    ? " removal " + r.removalMillis() + " ms"
                                    : ""));
            r.timeline().forEach(System.out::println);
            assertTrue(
                    r.violations().isEmpty(),
                    () -> r.violations() + "\n" + String.join("\n", r.timeline()));
            return r;
        }
    }

    private static void assertStates(ScenarioReport r, String... states) {
        assertEquals(List.of(states), r.sysfsStates(), () -> String.join("\n", r.timeline()));
    }

    @Test
    void aFrozenTargetBlocksTheDeviceAndRelogingInAfterTheThawRunsItWithDataIntact()
            throws Exception {
        ScenarioReport r = run(GuestScenario.R);
        assertStates(r, "running", "blocked", "running", "gone");
        assertTrue(
                r.timeline().stream().anyMatch(l -> l.contains("INTACT sda")),
                "data written before the freeze");
        assertEquals(ScenarioReport.Outcome.COMPLETED, r.outcome());
    }

    @Test
    void theReplacementTimeoutTakesTheDeviceTransportOfflineAndARelogingBringsItBack()
            throws Exception {
        ScenarioReport r = run(GuestScenario.E);
        assertStates(r, "running", "blocked", "transport-offline", "running", "gone");
        assertTrue(r.timeline().stream().anyMatch(l -> l.contains("IO_FAILED_FAST")));
        assertTrue(r.timeline().stream().anyMatch(l -> l.contains("INTACT sda")));
    }

    @Test
    void deletingABlockedDeviceReturnsAtOnce() throws Exception {
        ScenarioReport r = run(GuestScenario.B);
        // since v4.13 the blocked device goes straight to deleted (BLOCK -> DEL) and is gone once
        // the
        // delete returns: the sampler sees "deleted" only when it polls during the delete itself
        List<String> seen = new ArrayList<>(r.sysfsStates());
        if (seen.size() == 4 && seen.get(2).equals("deleted")) {
            seen.remove(2);
        }
        assertEquals(
                List.of("running", "blocked", "gone"), seen, () -> String.join("\n", r.timeline()));
        assertTrue(r.removalMillis() < 2_000, "removal took " + r.removalMillis() + " ms");
    }

    @Test
    void loggingOutWhileRecoveringReturnsAtOnce() throws Exception {
        ScenarioReport r = run(GuestScenario.D);
        assertTrue(r.removalMillis() < 2_000, "logout took " + r.removalMillis() + " ms");
        assertEquals("gone", r.sysfsStates().get(r.sysfsStates().size() - 1));
    }

    @Test
    void stalledCommandsWithNopsAnsweredHangRemovalInSynchronizeCacheForAsLongAsTheStallLasts()
            throws Exception {
        ScenarioReport r = run(GuestScenario.S);
        assertEquals(
                ScenarioReport.Outcome.HUNG,
                r.outcome(),
                "removal ended only when the stall was lifted");
        assertTrue(
                r.removalMillis() >= STALL.toMillis(), "removal took " + r.removalMillis() + " ms");
        assertTrue(
                r.syncCacheOnWire(), "sd's SYNCHRONIZE CACHE reached the target and stalled there");
        assertTrue(r.timeline().stream().anyMatch(l -> l.contains("removal still running after")));
    }

    @Test
    void whenTheTargetFailsStuckCommandsItselfRemovalFinishesDuringTheStall() throws Exception {
        ScenarioReport r = run(GuestScenario.S2);
        assertEquals(ScenarioReport.Outcome.COMPLETED, r.outcome());
        assertTrue(
                r.removalMillis() < STALL.toMillis() / 2,
                "removal took " + r.removalMillis() + " ms");
        assertTrue(r.syncCacheOnWire());
        assertTrue(
                r.timeline().stream()
                        .anyMatch(l -> l.contains("removal finished during the stall")));
    }
}
