package org.iscsilab.core.alua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.iscsilab.core.nexus.ItNexus;
import org.junit.jupiter.api.Test;

/** The target port groups' state machine: configuration checks, membership and changes. */
class AluaTest {
    private static ItNexus via(int port) {
        return new ItNexus("iqn.i:a,i,0x1", "iqn.t,t,0x" + Integer.toHexString(port));
    }

    @Test
    void untilConfiguredEveryPortIsActiveOptimizedAndNoAluaIsReported() {
        try (Alua alua = new Alua(List::of)) {
            assertEquals(TpgsMode.NONE, alua.mode());
            assertEquals(AccessState.ACTIVE_OPTIMIZED, alua.stateFor(via(1)));
            assertEquals(AccessState.ACTIVE_OPTIMIZED, alua.stateFor(via(7)));
        }
    }

    @Test
    void aConfigurationIsCheckedWholeAndARefusedOneChangesNothing() {
        try (Alua alua = new Alua(List::of)) {
            List<List<TargetPortGroup>> bad =
                    List.of(
                            List.of(),
                            List.of(
                                    TargetPortGroup.of(1, List.of(1), AccessState.STANDBY),
                                    TargetPortGroup.of(1, List.of(2), AccessState.STANDBY)),
                            List.of(
                                    TargetPortGroup.of(1, List.of(1), AccessState.STANDBY),
                                    TargetPortGroup.of(2, List.of(1), AccessState.STANDBY)),
                            List.of(
                                    TargetPortGroup.of(1, List.of(), AccessState.STANDBY),
                                    TargetPortGroup.of(2, List.of(), AccessState.STANDBY)));
            for (List<TargetPortGroup> groups : bad) {
                assertThrows(
                        IllegalArgumentException.class,
                        () -> alua.configure(TpgsMode.BOTH, groups, 0),
                        groups.toString());
            }
            assertThrows(
                    IllegalArgumentException.class,
                    () ->
                            alua.configure(
                                    TpgsMode.BOTH,
                                    List.of(TargetPortGroup.of(1, List.of(), AccessState.STANDBY)),
                                    256));
            assertEquals(TpgsMode.NONE, alua.mode());
            assertEquals(AccessState.ACTIVE_OPTIMIZED, alua.stateFor(via(1)));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> TargetPortGroup.of(1, List.of(0), AccessState.STANDBY));
        }
    }

    @Test
    void aPortBelongsToTheGroupThatNamesItElseToTheDefaultGroup() {
        try (Alua alua = new Alua(List::of)) {
            alua.configure(
                    TpgsMode.IMPLICIT,
                    List.of(
                            TargetPortGroup.of(10, List.of(), AccessState.STANDBY),
                            TargetPortGroup.of(20, List.of(2, 3), AccessState.UNAVAILABLE)),
                    0);
            assertEquals(10, alua.groupOf(1).id());
            assertEquals(20, alua.groupOf(3).id());
            assertEquals(AccessState.UNAVAILABLE, alua.stateFor(via(2)));
            alua.setTargetPorts(List.of(1, 2, 3, 4));
            assertEquals(List.of(1, 4), alua.portsOf(alua.group(10), 1));
            assertThrows(IllegalArgumentException.class, () -> alua.group(30));
        }
    }

    @Test
    void everyChangeIsReportedOnceAndSettingTheSameStateIsNoChange() {
        ManualScheduler clock = new ManualScheduler();
        try (Alua alua = new Alua(List::of, clock)) {
            alua.configure(
                    TpgsMode.BOTH,
                    List.of(TargetPortGroup.of(1, List.of(), AccessState.ACTIVE_OPTIMIZED)),
                    0);
            List<Alua.Change> seen = new ArrayList<>();
            alua.onChange(seen::add);
            alua.setState(1, AccessState.ACTIVE_OPTIMIZED, "same");
            alua.setState(1, AccessState.STANDBY, "api");
            alua.transition(1, AccessState.UNAVAILABLE, Duration.ofMillis(50), false);
            alua.setState(1, AccessState.ACTIVE_OPTIMIZED, "cancels the transition");
            clock.advance(Duration.ofSeconds(1)); // well past the cancelled transition's end
            assertEquals(
                    List.of(
                            new Alua.Change(
                                    1, AccessState.ACTIVE_OPTIMIZED, AccessState.STANDBY, "api"),
                            new Alua.Change(
                                    1,
                                    AccessState.STANDBY,
                                    AccessState.TRANSITIONING,
                                    "transitioning to unavailable for 50 ms"),
                            new Alua.Change(
                                    1,
                                    AccessState.TRANSITIONING,
                                    AccessState.ACTIVE_OPTIMIZED,
                                    "cancels the transition")),
                    seen);
            assertEquals(AccessState.ACTIVE_OPTIMIZED, alua.group(1).state(), "not unavailable");
            // the same clock ends a transition nothing cancels, at its time and not before
            alua.transition(1, AccessState.STANDBY, Duration.ofMillis(50), false);
            clock.advance(Duration.ofMillis(49));
            assertEquals(AccessState.TRANSITIONING, alua.group(1).state());
            clock.advance(Duration.ofMillis(1));
            assertEquals(AccessState.STANDBY, alua.group(1).state());
            assertEquals(
                    new Alua.Change(
                            1, AccessState.TRANSITIONING, AccessState.STANDBY, "transition done"),
                    seen.get(seen.size() - 1));
            assertThrows(
                    IllegalArgumentException.class,
                    () ->
                            alua.transition(
                                    1, AccessState.TRANSITIONING, Duration.ofSeconds(1), false));
            assertTrue(AccessState.parse("AN") == AccessState.ACTIVE_NON_OPTIMIZED);
            assertEquals(AccessState.STANDBY, AccessState.parse("standby"));
            assertThrows(IllegalArgumentException.class, () -> AccessState.parse("sleepy"));
        }
    }
}
