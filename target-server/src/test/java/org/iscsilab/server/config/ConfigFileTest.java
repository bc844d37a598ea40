package org.iscsilab.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.iscsilab.iscsi.node.NetworkIo;
import org.iscsilab.iscsi.node.TargetLimits;
import org.junit.jupiter.api.Test;

/**
 * The YAML configuration: what it describes, how flags override it, and errors that name line and
 * field.
 */
class ConfigFileTest {
    private static final String FULL =
            """
            portals:
              - listen: 0.0.0.0:3260
                advertise: 10.0.2.2:3260
            admin: 127.0.0.1:9261
            nopInterval: 5
            limits: {maxSessions: 16, loginTimeout: 5}
            discoveryChap: {user: finder, secret: "${CHAP_SECRET}"}
            faults:
              - delay=5ms,lun=1,op=write
            targets:
              - iqn: iqn.2026-01.org.example:disks
                luns: [ram:64M, "ram:32M,block=4096"]
                chap: {user: host, secret: "${CHAP_SECRET}"}
                srp: {user: host, secret: "${CHAP_SECRET}"}
                allowInitiators: [iqn.2026-01.org.example:host]
                allowNetworks: [127.0.0.0/8]
                lunMasks:
                  iqn.2026-01.org.example:host: [0]
              - iqn: iqn.2026-01.org.example:tape
                luns: ram:16M
            """;

    private static TargetConfig parse(String text) {
        return ConfigFile.parse(
                "target.yaml", text, Map.of("CHAP_SECRET", "twelve-bytes-secret")::get);
    }

    private static String error(String text) {
        return assertThrows(ConfigFile.ConfigException.class, () -> parse(text)).getMessage();
    }

    @Test
    void aFullFileDescribesPortalsTargetsLunsAuthAclsMasksAndFaults() {
        TargetConfig c = parse(FULL).withDefaults();
        assertEquals(
                List.of(new TargetConfig.Portal("0.0.0.0:3260", "10.0.2.2:3260")), c.portals());
        assertEquals("127.0.0.1:9261", c.admin());
        assertEquals(5, c.nopInterval());
        assertEquals(
                new TargetLimits(16, 4096, Duration.ofSeconds(5), Duration.ofSeconds(60)),
                c.limits().toLimits(),
                "limits the file leaves out take the defaults");
        assertEquals(
                new TargetConfig.Credentials("finder", "twelve-bytes-secret"), c.discoveryChap());
        assertEquals(2, c.targets().size());
        TargetConfig.Node disks = c.targets().get(0);
        assertEquals(List.of("ram:64M", "ram:32M,block=4096"), disks.luns());
        assertEquals(
                "twelve-bytes-secret",
                disks.chap().secret(),
                "the secret came from the environment");
        assertEquals("host", disks.srp().user());
        assertEquals(Map.of("iqn.2026-01.org.example:host", List.of(0)), disks.lunMasks());
        assertEquals(
                List.of("ram:16M"), c.targets().get(1).luns(), "a single value is a list of one");
        assertEquals(
                "iscsilab", c.targets().get(1).alias(), "defaults fill what the file leaves out");
    }

    @Test
    void flagsOverrideTheFileAndPerTargetFlagsApplyToTheFirstTarget() {
        TargetConfig flags =
                new TargetConfig(
                        List.of(new TargetConfig.Portal("127.0.0.1:13260", null)),
                        null,
                        null,
                        new TargetConfig.Limits(null, 8, null, null),
                        null,
                        null,
                        null,
                        null,
                        List.of("busy,every=10"),
                        List.of(
                                new TargetConfig.Node(
                                        null,
                                        null,
                                        List.of("ram:8M"),
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null)));
        TargetConfig c = parse(FULL).overriddenBy(flags).withDefaults();
        assertEquals("127.0.0.1:13260", c.portals().get(0).listen());
        assertEquals("127.0.0.1:9261", c.admin(), "not given as a flag: the file's");
        assertEquals(
                new TargetLimits(16, 8, Duration.ofSeconds(5), Duration.ofSeconds(60)),
                c.limits().toLimits(),
                "a limit flag replaces that limit only");
        assertEquals(
                List.of("delay=5ms,lun=1,op=write", "busy,every=10"),
                c.faults(),
                "fault rules add up");
        assertEquals(List.of("ram:8M"), c.targets().get(0).luns());
        assertEquals("iqn.2026-01.org.example:disks", c.targets().get(0).iqn());
        assertEquals(
                List.of("ram:16M"), c.targets().get(1).luns(), "the other targets keep theirs");
        TargetConfig none = TargetConfig.empty().withDefaults();
        assertEquals(TargetConfig.DEFAULT_IQN, none.targets().get(0).iqn());
        assertEquals(List.of("ram:1G"), none.targets().get(0).luns());
        assertNull(none.targets().get(0).chap());
    }

    @Test
    void errorsNameTheLineAndTheField() {
        assertEquals(
                "target.yaml line 2: unknown field 'lunz' in targets[0]; known fields: [alias, allowInitiators, "
                        + "allowNetworks, alua, chap, iqn, lunMasks, luns, mutualChap, srp]",
                error(
                        """
                targets:
                  - lunz: [ram:1G]
                """));
        assertEquals(
                "target.yaml line 3 (targets[0].luns[1]): LUN 'ram:1G,block=1024': block must be 512 or 4096, "
                        + "not 1024",
                error(
                        """
                targets:
                  - luns: [ram:1G,
                           "ram:1G,block=1024"]
                """));
        assertEquals(
                "target.yaml line 1: environment variable NOT_SET is not set",
                error(
                        """
                admin: ${NOT_SET}
                """));
        String type = error("nopInterval: often\n");
        assertEquals(true, type.startsWith("target.yaml line 1: nopInterval: "), type);
        String secret =
                error(
                        """
                targets:
                  - chap: {user: host, secret: short}
                """);
        assertEquals(
                "target.yaml line 2 (targets[0].chap.secret): a CHAP secret must be at least 12 bytes "
                        + "(RFC 7143 §12.1.3)",
                secret);
        assertEquals(
                "target.yaml line 2 (targets[0].srp.secret): an SRP password must be at least 12 bytes",
                error(
                        """
                targets:
                  - srp: {user: host, secret: short}
                """));
        assertEquals(true, error("admin: [unclosed\n").startsWith("target.yaml line "));
        assertEquals(
                "target.yaml line 1 (limits): session and connection limits must be at least 1",
                error("limits: {maxSessions: 0}\n"));
    }

    @Test
    void theIoSectionChoosesTheTransportAndRefusesPollingWhereTheLoopCannotSpin() {
        assertEquals(
                new NetworkIo(NetworkIo.Transport.NIO, true, 2),
                parse("io: {transport: nio, poll: true, eventLoops: 2}\n").io().toNetworkIo());
        assertEquals(
                "target.yaml line 1 (io): polling needs the epoll or nio transport: io_uring's loop"
                        + " always waits",
                error("io: {transport: io_uring, poll: true}\n"));
        assertEquals(
                "target.yaml line 1 (io): unknown I/O transport 'kqueue'; use auto, epoll, io_uring"
                        + " or nio",
                error("io: {transport: kqueue}\n"));
    }

    @Test
    void theTcpConnectionLimitIsStillReadByItsOldName() {
        assertEquals(
                8,
                parse("limits: {maxTcpConnections: 8}\n").limits().toLimits().maxTcpConnections());
        assertEquals(
                8, parse("limits: {maxConnections: 8}\n").limits().toLimits().maxTcpConnections());
    }

    @Test
    void anEmptyFileSaysItIsEmpty() {
        assertEquals(
                "target.yaml: the file is empty; it holds portals, admin, targets and more (docs/target.md)",
                error("# nothing yet\n\n"));
    }

    @Test
    void anEmptyTargetListIsRefusedInsteadOfStartingTheDefaultTarget() {
        assertTrue(error("targets: []\n").startsWith("target.yaml: targets is empty"));
        assertTrue(error("portals: []\n").startsWith("target.yaml: portals is empty"));
    }

    @Test
    void aValueOfTheWrongTypeSaysWhatTheFieldTakesNotTheLibrarysClassNames() {
        assertEquals(
                "target.yaml line 1: portals[0]: expected a mapping of listen, advertise, group, redirect, not the number 3",
                error("portals: 3\n"));
        assertEquals(
                "target.yaml line 1: nopInterval: expected a whole number, not the text \"abc\"",
                error("nopInterval: abc\n"));
        assertEquals(
                "target.yaml line 3: targets[0].luns[0]: expected text, not a mapping",
                error("targets:\n  - iqn: iqn.2026-01.org.example:a\n    luns: {a: 1}\n"));
    }
}
