package org.iscsilab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.iscsilab.server.config.TargetConfig;
import org.junit.jupiter.api.Test;

/** What SendTargets reports (RFC 7143 §13.8): addresses an initiator can log in to. */
class AdvertisedAddressesTest {
    private static TargetRuntime start(String listen, String advertise) throws Exception {
        return TargetRuntime.start(TestConfigs.onePortal(listen, advertise, null, "ram:1M"));
    }

    @Test
    void eachPortalIsReportedWithTheTagOfItsPortalGroup() throws Exception {
        try (TargetRuntime t =
                TargetRuntime.start(
                        TestConfigs.portals(
                                List.of(
                                        new TargetConfig.Portal("127.0.0.1:0", null, 1),
                                        new TargetConfig.Portal("127.0.0.1:0", null, 7)),
                                null,
                                "ram:1M"))) {
            assertEquals(
                    List.of(
                            "127.0.0.1:" + t.bound().get(0).getPort() + ",1",
                            "127.0.0.1:" + t.bound().get(1).getPort() + ",7"),
                    t.server().targetAddresses());
            assertEquals(List.of(1, 7), t.server().portalGroupTags());
        }
        IllegalArgumentException bad =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                TargetRuntime.start(
                                        TestConfigs.portals(
                                                List.of(
                                                        new TargetConfig.Portal(
                                                                "127.0.0.1:0", null, 70000)),
                                                null,
                                                "ram:1M")));
        assertTrue(bad.getMessage().contains("portal group 70000"), bad.getMessage());
    }

    @Test
    void anAdvertisedHostWithoutAPortTakesThePortOfItsPortal() throws Exception {
        try (TargetRuntime t = start("127.0.0.1:0", "initiators-see-me.example")) {
            int port = t.bound().get(0).getPort();
            assertEquals(
                    List.of("initiators-see-me.example:" + port + ",1"),
                    t.server().targetAddresses());
        }
    }

    @Test
    void aWildcardPortalAdvertisesTheHostsAddressesNeverTheWildcard() throws Exception {
        try (TargetRuntime t = start("0.0.0.0:0", null)) {
            int port = t.bound().get(0).getPort();
            List<String> shown = t.server().targetAddresses();
            assertTrue(shown.contains("127.0.0.1:" + port + ",1"), shown.toString());
            assertFalse(
                    shown.stream()
                            .anyMatch(
                                    a ->
                                            a.startsWith("0.0.0.0")
                                                    || a.startsWith("[0:0:0:0:0:0:0:0]")
                                                    || a.contains("%")),
                    shown.toString());
            assertEquals(
                    shown.get(shown.size() - 1), "127.0.0.1:" + port + ",1", "loopback comes last");
        }
    }
}
