package org.iscsilab.host.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The multipath cases on the Java host, over the wire against a target of two portal groups: what
 * the Linux guest's dm-multipath shows for them (LinuxGuestMultipathIT) the model shows too.
 */
class MultipathScenarioRunnerTest {
    @Test
    void everyCaseKeepsTheWriterGoingWithoutAnErrorAndEveryBlockVerifies() throws Exception {
        try (ScenarioTarget target = ScenarioTarget.twoPortalGroups(null)) {
            MultipathReport.Run run =
                    new MultipathScenarioRunner().run(List.of(MultipathCase.values()), target);
            for (MultipathReport r : run.cases()) {
                assertEquals(
                        ScenarioReport.Outcome.COMPLETED,
                        r.outcome(),
                        r.caseId() + " " + r.findings() + "\n" + r.topologyWhileBroken());
                assertEquals(0, r.ioErrors(), r.caseId());
                assertTrue(r.resumed(), r.caseId());
            }
            MultipathReport m4 = run.cases().get(3);
            assertEquals(0, m4.writesWhileBroken(), "no path left: the writes wait");
            assertTrue(
                    m4.longestPauseMillis() >= 2_000,
                    "they waited for the restore: " + m4.longestPauseMillis() + " ms");
            assertTrue(run.cases().get(0).writesWhileBroken() >= 30, "M1: writes go on");
            MultipathReport m3 = run.cases().get(2);
            assertTrue(
                    m3.longestPauseMillis() >= MultipathCase.TRANSITION.toMillis() - 1_000,
                    "M3: the write waits on its path through the transition, as Linux's ALUA"
                            + " handler has it, then moves: "
                            + m3.longestPauseMillis()
                            + " ms");
            assertEquals(List.of(), run.mismatches());
            assertTrue(run.passed());
        }
    }
}
