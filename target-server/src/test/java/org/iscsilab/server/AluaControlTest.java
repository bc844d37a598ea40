package org.iscsilab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.server.admin.AdminApi;
import org.iscsilab.server.admin.Endpoints;
import org.iscsilab.server.config.TargetConfig;
import org.junit.jupiter.api.Test;

/**
 * ALUA as an operator drives it: target port groups from the configuration, read and changed
 * through the admin API, every change in the event log and the metrics.
 */
class AluaControlTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TargetConfig twoPortalGroups(TargetConfig.Alua alua) {
        TargetConfig base =
                TestConfigs.portals(
                        List.of(
                                new TargetConfig.Portal("127.0.0.1:0", null, 1),
                                new TargetConfig.Portal("127.0.0.1:0", null, 2)),
                        "iqn.2026-01.org.example:paths",
                        "ram:1M");
        TargetConfig.Node n = base.targets().get(0);
        return new TargetConfig(
                base.portals(),
                base.admin(),
                base.nopInterval(),
                base.limits(),
                base.session(),
                base.io(),
                null,
                null,
                base.faults(),
                List.of(
                        new TargetConfig.Node(
                                n.iqn(),
                                n.alias(),
                                n.luns(),
                                null,
                                null,
                                null,
                                n.allowInitiators(),
                                n.allowNetworks(),
                                n.lunMasks(),
                                alua)));
    }

    private static final TargetConfig.Alua TWO_GROUPS =
            new TargetConfig.Alua(
                    "both",
                    4,
                    List.of(
                            new TargetConfig.PortGroup(10, List.of(1), "active-optimized", true),
                            new TargetConfig.PortGroup(20, List.of(2), "standby", null)));

    private static JsonNode call(AdminApi api, String method, String path, String body)
            throws Exception {
        AdminApi.Response r = api.handle(method, Endpoints.BASE + path, Map.of(), body);
        assertTrue(r.status() < 300, r.status() + " " + r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void theConfiguredGroupsAreReadAndChangedThroughTheAdminApi() throws Exception {
        try (TargetRuntime t = TargetRuntime.start(twoPortalGroups(TWO_GROUPS))) {
            AdminApi api = t.adminApi();
            JsonNode alua = call(api, "GET", "alua", null);
            assertEquals("both", alua.get("mode").asText());
            assertEquals(4, alua.get("implicitTransitionTime").asInt());
            assertEquals("standby", alua.get("groups").get(1).get("state").asText());
            assertEquals(2, alua.get("groups").get(1).get("portals").get(0).asInt());
            assertTrue(alua.get("groups").get(0).get("preferred").asBoolean());

            JsonNode changed =
                    call(api, "PATCH", "alua/groups/20", "{\"state\":\"active-optimized\"}");
            assertEquals("active-optimized", changed.get("state").asText());
            assertEquals("changed by the target", changed.get("status").asText());
            List<EventLog.Event> events =
                    t.server().events().events(e -> e.type() == EventLog.Type.ALUA);
            assertEquals(1, events.size());
            assertEquals("active-optimized", events.get(0).status());
            assertTrue(events.get(0).detail().contains("group 20"), events.get(0).detail());
            assertTrue(events.get(0).detail().contains("standby -> active-optimized"));
            assertTrue(
                    t.registry().scrape().contains("iscsi_target_alua_changes_total"),
                    "a metric counts the changes");

            JsonNode timed =
                    call(
                            api,
                            "PATCH",
                            "alua/groups/10",
                            "{\"state\":\"unavailable\",\"transition\":\"30s\"}");
            assertEquals("transitioning", timed.get("state").asText());
        }
    }

    @Test
    void aGroupNamingAPortalGroupNoPortalHasIsRefusedAtStart() {
        TargetConfig.Alua bad =
                new TargetConfig.Alua(
                        "implicit",
                        null,
                        List.of(new TargetConfig.PortGroup(1, List.of(9), null, null)));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TargetRuntime.start(twoPortalGroups(bad)).close());
        assertEquals(
                "target iqn.2026-01.org.example:paths: alua: group 1 names portal group 9, which"
                        + " no portal has (the portal groups are [1, 2])",
                e.getMessage());
    }
}
