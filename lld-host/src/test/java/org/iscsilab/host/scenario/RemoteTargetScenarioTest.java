package org.iscsilab.host.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import org.iscsilab.host.mid.Policy;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.Test;

/**
 * A scenario run against a target over the network: faults and the event log through its admin API.
 */
class RemoteTargetScenarioTest {
    @Test
    void scenariosRunAgainstATargetReachedByUrlAndAdminApi() throws Exception {
        try (EmbeddedTarget target = EmbeddedTarget.start("ram:64M")) {
            URI api = target.startAdmin();
            String admin = api.getHost() + ":" + api.getPort();
            String url = "iscsi://127.0.0.1:" + target.address().getPort() + "/" + target.iqn();
            ScenarioRunner runner = new ScenarioRunner(Duration.ofMillis(2000));
            ScenarioReport hang = runner.run(Scenario.A, Policy.V4_11, url, admin);
            assertEquals(
                    ScenarioReport.Outcome.HUNG,
                    hang.outcome(),
                    String.join("\n", hang.timeline()));
            ScenarioReport sync = runner.run(Scenario.B, Policy.BART, url, admin);
            assertEquals(
                    ScenarioReport.Outcome.COMPLETED,
                    sync.outcome(),
                    String.join("\n", sync.timeline()));
            assertTrue(sync.syncCacheOnWire(), "seen in the remote event log");
            assertTrue(
                    sync.targetEvents().contains("command 0x35 LUN 0: GOOD"),
                    sync.targetEvents().toString());
            assertEquals(0, target.faults().list().size(), "the runs removed the rules they added");
        }
    }
}
