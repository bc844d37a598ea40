package org.iscsilab.host.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.core.fault.FaultScope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What each multipath case does to a target of two portal groups, and that its restore puts the
 * target back as it started.
 */
class MultipathCaseTest {
    private static final String HOST = "iqn.2026-01.org.iscsilab:mp-host";
    private ScenarioTarget target;

    @BeforeEach
    void start() throws Exception {
        target = ScenarioTarget.twoPortalGroups(null);
    }

    @AfterEach
    void stop() {
        target.close();
    }

    private List<String> accessStateEventsAfter(long sequence) throws Exception {
        return target.eventsAfter(sequence).stream()
                .filter(e -> e.type() == EventLog.Type.ALUA)
                .map(EventLog.Event::detail)
                .toList();
    }

    @Test
    void theGroupCasesChangeGroupOnesAccessStateAndTheRestoreUndoesIt() throws Exception {
        long before = target.eventsRecorded();
        List<Integer> rules = MultipathCase.M1.breakPaths(target, HOST);
        assertEquals(List.of(), rules);
        MultipathCase.M1.restore(target, rules);
        List<String> changes = accessStateEventsAfter(before);
        assertEquals(2, changes.size(), changes.toString());
        assertTrue(
                changes.get(0).contains("group 1")
                        && changes.get(0).endsWith("unavailable (admin API)"));
        assertTrue(changes.get(1).contains("unavailable -> active-optimized"), changes.get(1));
    }

    @Test
    void theTransitionCasePutsGroupOneInATransition() throws Exception {
        long before = target.eventsRecorded();
        MultipathCase.M3.breakPaths(target, HOST);
        List<String> changes = accessStateEventsAfter(before);
        assertTrue(
                changes.get(0).contains("active-optimized -> transitioning"), changes.toString());
        MultipathCase.M3.restore(target, List.of());
    }

    @Test
    void theFreezeCasesAddOneRuleScopedToTheHostAndTheRestoreRemovesIt() throws Exception {
        EmbeddedScenarioTarget embedded = (EmbeddedScenarioTarget) target;
        String portal1 = FaultScope.portalName(target.portals().get(0));
        List<Integer> rules = MultipathCase.M2.breakPaths(target, HOST);
        assertEquals(1, rules.size());
        assertEquals(
                List.of("freeze,initiator=" + HOST + ",portal=" + portal1), embedded.faultRules());
        MultipathCase.M2.restore(target, rules);
        assertEquals(List.of(), embedded.faultRules());

        rules = MultipathCase.M4.breakPaths(target, HOST);
        assertEquals(List.of("freeze,initiator=" + HOST), embedded.faultRules());
        MultipathCase.M4.restore(target, rules);
        assertEquals(List.of(), embedded.faultRules());
    }

    @Test
    void aCaseIsNamedByItsShortOrLongName() {
        assertEquals(MultipathCase.M2, MultipathCase.parse("m2"));
        assertEquals(MultipathCase.M4, MultipathCase.parse("M4-all-paths-down-queued"));
        assertThrows(IllegalArgumentException.class, () -> MultipathCase.parse("M5"));
    }
}
