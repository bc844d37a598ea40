package org.iscsilab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.iscsilab.cli.CommandLineRefusalsTest.Run;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line as a user meets it: help, errors of a failed start, clients and their output.
 */
class CommandLineBehaviourTest {
    @TempDir Path dir;

    private static Run run(String... args) {
        return CommandLineRefusalsTest.run(List.of(args));
    }

    @Test
    void aBusyPortalFailsBeforeTheBannerNamesFlagAndAddressAndLeavesNoFile() throws Exception {
        Path image = dir.resolve("disk.img");
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String portal = "127.0.0.1:" + busy.getLocalPort();
            Run r =
                    run(
                            "target",
                            "--portal",
                            portal,
                            "--admin",
                            "off",
                            "--lun",
                            "file:" + image + ":1M",
                            "--fault",
                            "busy");
            assertEquals(CliErrors.FAILED, r.code(), r.err());
            assertEquals(
                    "iscsilab target: --portal: portal " + portal + ": address already in use",
                    r.err().strip());
            assertFalse(r.out().contains("listening") || r.out().contains("fault"), r.out());
            assertFalse(Files.exists(image), "the failed start left the LUN file behind");
        }
    }

    @Test
    void aBusyAdminPortFailsNamingTheFlagAndReleasesThePortal() throws Exception {
        Path image = dir.resolve("disk.img");
        int portalPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            portalPort = probe.getLocalPort(); // free again once closed
        }
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run r =
                    run(
                            "target",
                            "--portal",
                            "127.0.0.1:" + portalPort,
                            "--admin",
                            "127.0.0.1:" + busy.getLocalPort(),
                            "--lun",
                            "file:" + image + ":1M");
            assertEquals(CliErrors.FAILED, r.code(), r.err());
            assertTrue(
                    r.err()
                            .startsWith(
                                    "iscsilab target: --admin: admin API 127.0.0.1:"
                                            + busy.getLocalPort()),
                    r.err());
            assertFalse(Files.exists(image));
            try (ServerSocket again =
                    new ServerSocket(portalPort, 1, InetAddress.getLoopbackAddress())) {
                assertEquals(portalPort, again.getLocalPort(), "the portal is listening no more");
            }
        }
    }

    @Test
    void everyCommandAnswersHelpWithItsExitCodes() {
        List<String> paths = new ArrayList<>();
        collect(IscsilabCli.commandLine(false), "", paths);
        for (String path : paths) {
            List<String> args =
                    new ArrayList<>(path.isEmpty() ? List.of() : List.of(path.split(" ")));
            args.add("--help");
            Run r = CommandLineRefusalsTest.run(args);
            assertEquals(0, r.code(), path + " --help: " + r.err());
            assertTrue(
                    r.out().contains("Exit codes:") && r.out().contains("bad usage"),
                    path + ": " + r.out());
        }
        assertTrue(paths.contains("fault add") && paths.contains("fault list"));
    }

    private static void collect(CommandLine cmd, String path, List<String> out) {
        out.add(path);
        cmd.getSubcommands().forEach((name, sub) -> collect(sub, (path + " " + name).trim(), out));
    }

    @Test
    void theTargetHelpShowsTheEnvironmentSyntaxVerbatim() {
        String help = run("target", "--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains("${NAME} in the file is read from the environment"), help);
    }

    @Test
    void theVersionNamesTheVersionAndTheCommit() {
        String v = run("--version").out().strip();
        assertTrue(v.matches("iscsilab \\S+ \\(commit \\S+\\)"), v);
    }

    @Test
    void completionPrintsAScriptForBashAndZsh() {
        assertTrue(run("completion", "bash").out().contains("complete -F"));
        assertTrue(run("completion", "zsh").out().startsWith("autoload -U +X compinit"));
    }

    @Test
    void clientsTakeThePrintedUrlPrintTablesAndJsonOnRequest() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M")) {
            String url = t.startAdmin().toString(); // http://127.0.0.1:PORT/api/v1/, as printed
            Run table = run("lun", "list", "--admin", url);
            assertEquals(0, table.code(), table.err());
            assertTrue(
                    table.out().startsWith("1 LUN\n") && table.out().contains("16 MiB"),
                    table.out());
            Run json = run("lun", "list", "--json", "--admin", url);
            assertTrue(json.out().strip().startsWith("["), json.out());
            Run added = run("fault", "add", "busy,every=3", "--admin", url);
            assertEquals("added fault rule 1: busy,every=3", added.out().strip());
            Run faults = run("fault", "list", "--admin", url);
            assertTrue(
                    faults.out().contains("busy,every=3") && faults.out().contains("MATCHED"),
                    faults.out());
            Run gone = run("fault", "remove", "7", "--admin", url);
            assertEquals(CliErrors.FAILED, gone.code(), "no such rule is no usage error");
            assertTrue(gone.err().contains("iscsilab fault list"), gone.err());
        }
    }

    @Test
    void aClientWithoutATargetSaysWhereItLookedInOneLine() {
        Run r = run("status", "--admin", "127.0.0.1:1");
        assertEquals(CliErrors.FAILED, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(
                r.err().contains("http://127.0.0.1:1/api/v1/")
                        && r.err().contains("ISCSILAB_ADMIN"),
                r.err());
    }

    @Test
    void aScenarioAssertsItsOutcomeThroughTheExitCode() {
        assertEquals(
                0,
                run("scenario", "B", "--policy", "v4.11", "--limit", "500", "--expect", "HUNG")
                        .code());
        Run r =
                run(
                        "scenario",
                        "B",
                        "--policy",
                        "v4.11",
                        "--limit",
                        "500",
                        "--expect",
                        "COMPLETED");
        assertEquals(CliErrors.FAILED, r.code());
        assertTrue(r.err().contains("expected COMPLETED"), r.err());
    }

    @Test
    void theTcpConnectionLimitKeepsItsOldNameAndARefusalNamesTheNameGiven() {
        Run r = run("target", "--max-connections", "0");
        assertEquals(CliErrors.USAGE, r.code());
        assertTrue(r.err().contains("--max-connections"), r.err());
        r = run("target", "--max-tcp-connections=0");
        assertEquals(CliErrors.USAGE, r.code());
        assertTrue(r.err().contains("--max-tcp-connections"), r.err());
    }

    @Test
    void aMultipathCaseRunsOnTheJavaHostAndPrintsItsRow() {
        Run r = run("scenario", "M1", "--expect", "COMPLETED");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().contains("M1-group-unavailable") && r.out().contains("COMPLETED"), r.out());
        assertTrue(r.out().contains("blocks verified") && r.out().contains("256 of 256"), r.out());
    }

    @Test
    void theMultipathCasesRefuseOptionsThatCannotApplyToThem() {
        Run r = run("scenario", "multipath", "--kernel", "6.12");
        assertEquals(CliErrors.USAGE, r.code());
        assertTrue(r.err().contains("--kernel") && r.err().contains("6.1-multipath"), r.err());
        r = run("scenario", "M2", "--policy", "v4.11");
        assertEquals(CliErrors.USAGE, r.code());
        assertTrue(r.err().contains("--policy") && r.err().contains("current policy"), r.err());
        r = run("scenario", "B-mp-remove-blocked-path", "--target", "iscsi://127.0.0.1/iqn.x:y");
        assertEquals(CliErrors.USAGE, r.code());
        assertTrue(r.err().contains("two portal groups"), r.err());
    }
}
