package org.iscsilab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.iscsilab.server.config.TargetConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** --portal-group TAG=HOST:PORT[,HOST:PORT] beside --portal (portal group 1). */
class PortalGroupFlagsTest {
    private static List<TargetConfig.Portal> portals(String... args) {
        TargetCommand cmd = new TargetCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd.flags().portals();
    }

    @Test
    void portalsOfEveryGroupFollowThePortalsOfGroupOne() {
        assertEquals(
                List.of(
                        new TargetConfig.Portal("127.0.0.1:3260", null, 1),
                        new TargetConfig.Portal("127.0.0.2:3260", null, 2),
                        new TargetConfig.Portal("127.0.0.3:3260", null, 2)),
                portals(
                        "--portal",
                        "127.0.0.1:3260",
                        "--portal-group",
                        "2=127.0.0.2:3260,127.0.0.3:3260"));
        assertEquals(
                List.of(new TargetConfig.Portal("127.0.0.9:3260", "example.com", 5)),
                portals("--portal-group", "5=127.0.0.9:3260", "--advertise", "example.com"));
    }

    @Test
    void aPortalGroupIsATagAndAtLeastOnePortal() {
        for (String bad : List.of("=127.0.0.1", "7=", "x=127.0.0.1", "0=127.0.0.1", "2=a,,b")) {
            assertThrows(
                    IllegalArgumentException.class, () -> TargetCommand.parsePortalGroup(bad), bad);
        }
        assertEquals(
                List.of("127.0.0.1:0"),
                TargetCommand.parsePortalGroup("65535=127.0.0.1:0").getValue());
    }
}
