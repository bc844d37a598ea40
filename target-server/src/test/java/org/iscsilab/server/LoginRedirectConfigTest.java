package org.iscsilab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.util.List;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.server.config.TargetConfig;
import org.junit.jupiter.api.Test;

/**
 * A portal configured to redirect (RFC 7143 §11.13.5) sends normal logins to another portal group;
 * the redirection is a fault rule scoped to that portal, listed with the others.
 */
class LoginRedirectConfigTest {
    @Test
    void loginsAtARedirectingPortalEndAtTheOtherPortalGroup() throws Exception {
        int free;
        try (ServerSocket probe = new ServerSocket(0)) {
            free = probe.getLocalPort();
        }
        TargetConfig cfg =
                TestConfigs.portals(
                        List.of(
                                new TargetConfig.Portal(
                                        "127.0.0.1:0",
                                        null,
                                        1,
                                        new TargetConfig.Redirect("127.0.0.1:" + free, 2, false)),
                                new TargetConfig.Portal("127.0.0.1:" + free, null, 2)),
                        "iqn.2026-01.org.example:moved",
                        "ram:1M");
        try (TargetRuntime t = TargetRuntime.start(cfg);
                IscsiInitiator initiator = new IscsiInitiator(1)) {
            assertTrue(
                    t.server().faults().list().stream()
                            .anyMatch(r -> r.spec().startsWith("redirect,to=127.0.0.1:" + free)),
                    t.server().faults().list().toString());
            InitiatorSession s =
                    initiator
                            .login(
                                    t.bound().get(0),
                                    InitiatorConfig.normal("iqn.2026-01.org.example:moved"))
                            .join();
            assertEquals(2, s.portalGroupTag(), "the session is at portal group 2");
            assertEquals(
                    "moved temporarily to 127.0.0.1:" + free + ",2",
                    t.server()
                            .events()
                            .events(e -> "REDIRECTED".equals(e.status()))
                            .get(0)
                            .detail());
        }
    }
}
