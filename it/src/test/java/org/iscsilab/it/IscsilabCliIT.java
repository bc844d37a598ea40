package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.iscsilab.host.mid.Policy;
import org.iscsilab.host.scenario.Scenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged command line: starts a target real initiators reach, stops cleanly, explains bad
 * flags.
 */
class IscsilabCliIT {
    private static final Path JAR = IscsilabJar.path();

    @Test
    void theLauncherRunsTheJarTheBuildMakes() throws Exception {
        Path launcher = Path.of("..", "iscsilab").toAbsolutePath().normalize();
        String output =
                ExternalProgram.ok(Duration.ofMinutes(5), launcher.toString(), "print-jar").strip();
        String printed =
                output.substring(output.lastIndexOf('\n') + 1); // after any "building" line
        assertEquals(
                JAR.toAbsolutePath().normalize(),
                Path.of(printed).toAbsolutePath().normalize(),
                "./iscsilab and the POM's iscsilab.jar property name the same jar");
    }

    @Test
    void targetStartsServesALibiscsiClientAndStopsOnSigterm() throws Exception {
        ExternalProgram.require("iscsi-inq", "libiscsi-bin");
        Process p =
                new ProcessBuilder(
                                "java",
                                "-jar",
                                JAR.toString(),
                                "target",
                                "--portal",
                                "127.0.0.1:0",
                                "--lun",
                                "ram:64M",
                                "--lun",
                                "null:1T,block=4096",
                                "--iqn",
                                "iqn.2026-01.org.iscsilab:cli",
                                "--admin",
                                "127.0.0.1:0")
                        .redirectErrorStream(true)
                        .start();
        BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String url = null;
        String admin = null;
        Pattern libiscsi = Pattern.compile("libiscsi:\\s+(iscsi://\\S+)");
        Pattern adminApi = Pattern.compile("admin API http://(\\S+)/api/v1/");
        for (String line; (line = out.readLine()) != null; ) {
            seen.append(line).append('\n');
            Matcher m = libiscsi.matcher(line);
            if (m.find()) {
                url = m.group(1);
            }
            Matcher a = adminApi.matcher(line);
            if (a.find()) {
                admin = a.group(1);
            }
            if (line.contains("Ctrl-C")) {
                break;
            }
        }
        assertTrue(url != null, "the banner prints the libiscsi URL:\n" + seen);
        assertTrue(
                seen.toString().contains("LUN 1 (null 1 TiB, 4096-byte blocks)"), seen.toString());
        String inq = ExternalProgram.ok(Duration.ofSeconds(30), "iscsi-inq", url);
        assertTrue(inq.contains("Vendor:ISCSILAB"), inq);
        assertTrue(admin != null, "the banner prints the admin API address:\n" + seen);
        String resized =
                ExternalProgram.ok(
                        Duration.ofSeconds(30),
                        "java",
                        "-jar",
                        JAR.toString(),
                        "lun",
                        "resize",
                        "0",
                        "32M",
                        "--admin",
                        admin);
        assertTrue(resized.matches("(?s).*\\n  0 +32 MiB +512 .*"), resized);
        String cap = ExternalProgram.ok(Duration.ofSeconds(30), "iscsi-readcapacity16", url);
        assertTrue(cap.contains("RETURNED LOGICAL BLOCK ADDRESS:65535"), cap);
        ExternalProgram.Result bad =
                ExternalProgram.run(
                        Duration.ofSeconds(30),
                        "java",
                        "-jar",
                        JAR.toString(),
                        "fault",
                        "add",
                        "busy,every=0",
                        "--admin",
                        admin);
        assertEquals(2, bad.exitCode(), bad.output());
        assertTrue(bad.output().contains("every=0: write a number from 1"), bad.output());
        String rules =
                ExternalProgram.ok(
                        Duration.ofSeconds(30),
                        "java",
                        "-jar",
                        JAR.toString(),
                        "fault",
                        "list",
                        "--admin",
                        admin);
        assertEquals("0 fault rules", rules.strip(), "the bad rule changed nothing");
        String status =
                ExternalProgram.ok(
                        Duration.ofSeconds(30),
                        "java",
                        "-jar",
                        JAR.toString(),
                        "status",
                        "--admin",
                        admin);
        assertTrue(status.contains("2 LUNs"), status);
        assertTrue(status.matches("(?s).*\\n  0 +32 MiB +512 .*\\n  1 +1 TiB +4096 .*"), status);
        String metrics =
                ExternalProgram.ok(
                        Duration.ofSeconds(30), "curl", "-s", "http://" + admin + "/metrics");
        assertTrue(
                metrics.contains("iscsi_target_commands_total{opcode=\"0x12\",status=\"GOOD\"}"),
                "iscsi-inq's INQUIRY is counted:\n" + metrics);
        p.toHandle().destroy(); // SIGTERM, keeping our end of its output open
        StringBuilder rest = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            rest.append(line).append('\n');
        }
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "target exits after SIGTERM");
        assertTrue(rest.toString().contains("shutting down"), rest.toString());
        assertTrue(
                rest.toString()
                        .matches(
                                "(?s).*INFO  TargetConnection \\[127\\.0\\.0\\.1:\\d+ itt=0x\\p{XDigit}+] - login: .*"),
                "log lines name the connection and the task:\n" + rest);
        assertTrue(
                rest.toString()
                        .matches(
                                "(?s).*LogoutExchange \\[127\\.0\\.0\\.1:\\d+ tsih=0x\\p{XDigit}+ itt=0x\\p{XDigit}+] - logout: .*"),
                "and, once logged in, the session:\n" + rest);
    }

    @Test
    void aConfigFileServesTwoTargetsWithChapFromTheEnvironmentAclsAndMasks(@TempDir Path dir)
            throws Exception {
        ExternalProgram.require("iscsi-ls", "libiscsi-bin");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("target.yaml");
        Files.writeString(
                config,
                """
                portals:
                  - listen: 127.0.0.1:%d
                admin: "off"
                targets:
                  - iqn: iqn.2026-01.org.example:disks
                    luns: [ram:64M, ram:32M, ram:16M]
                    chap: {user: suite, secret: "${SUITE_SECRET}"}
                    lunMasks:
                      iqn.2026-01.org.example:masked: [2]
                  - iqn: iqn.2026-01.org.example:private
                    luns: ram:16M
                    allowInitiators: [iqn.2026-01.org.example:owner]
                """
                        .formatted(port));
        ProcessBuilder pb =
                new ProcessBuilder(
                                "java",
                                "-jar",
                                JAR.toString(),
                                "target",
                                "--config",
                                config.toString())
                        .redirectErrorStream(true);
        pb.environment().put("SUITE_SECRET", "suite-secret-0123");
        Process p = pb.start();
        try {
            BufferedReader out =
                    new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            for (String line; (line = out.readLine()) != null && !line.contains("Ctrl-C"); ) {
                seen.append(line).append('\n');
            }
            assertTrue(
                    seen.toString().contains("iscsilab target iqn.2026-01.org.example:private"),
                    seen.toString());
            String portal = "iscsi://127.0.0.1:" + port;
            String owner =
                    ExternalProgram.ok(
                            Duration.ofSeconds(30),
                            "iscsi-ls",
                            "-i",
                            "iqn.2026-01.org.example:owner",
                            portal);
            assertTrue(
                    owner.contains("iqn.2026-01.org.example:disks")
                            && owner.contains("iqn.2026-01.org.example:private"),
                    owner);
            String stranger =
                    ExternalProgram.ok(
                            Duration.ofSeconds(30),
                            "iscsi-ls",
                            "-i",
                            "iqn.2026-01.org.example:stranger",
                            portal);
            assertFalse(
                    stranger.contains(":private"),
                    "the ACL hides the private target:\n" + stranger);
            String url =
                    portal.replace("iscsi://", "iscsi://suite%suite-secret-0123@")
                            + "/iqn.2026-01.org.example:disks/";
            String luns =
                    ExternalProgram.ok(
                            Duration.ofSeconds(30),
                            "iscsi-ls",
                            "-s",
                            "-i",
                            "iqn.2026-01.org.example:masked",
                            portal.replace("iscsi://", "iscsi://suite%suite-secret-0123@"));
            assertTrue(
                    luns.contains("Lun:2") && !luns.contains("Lun:0"),
                    "the masked initiator sees LUN 2 only:\n" + luns);
            assertTrue(
                    ExternalProgram.ok(Duration.ofSeconds(30), "iscsi-inq", url + "0")
                            .contains("ISCSILAB"));
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void aBadLunSpecIsOneSentenceAndExitCode2() throws Exception {
        ExternalProgram.Result r =
                ExternalProgram.run(
                        Duration.ofSeconds(30),
                        "java",
                        "-jar",
                        JAR.toString(),
                        "target",
                        "--lun",
                        "disk:1G");
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(
                r.output().contains("LUN 'disk:1G': unknown kind 'disk' (known: ram, file, null)"),
                r.output());
    }

    @Test
    void aBadBlockSizeIsExplained() throws Exception {
        ExternalProgram.Result r =
                ExternalProgram.run(
                        Duration.ofSeconds(30),
                        "java",
                        "-jar",
                        JAR.toString(),
                        "target",
                        "--lun",
                        "ram:1G,block=1024");
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().contains("block must be 512 or 4096, not 1024"), r.output());
    }

    /**
     * The scenarios x policies matrix from the packaged CLI, with the JSON fields people script
     * against.
     */
    @Test
    void scenarioAllPrintsTheMatrixAndWritesJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("matrix.json");
        String out =
                ExternalProgram.ok(
                        Duration.ofMinutes(5),
                        "java",
                        "-jar",
                        JAR.toString(),
                        "scenario",
                        "all",
                        "--limit",
                        "2500",
                        "--json",
                        json.toString());
        assertTrue(out.contains("A-lld-unload-blocked"), out);
        assertTrue(out.contains("C-block-remove-race"), out);
        assertTrue(
                out.contains("M4-all-paths-down-queued") && out.contains("256 of 256"),
                "the multipath cases' rows: " + out);
        JsonNode list = new ObjectMapper().readTree(json.toFile());
        assertEquals(
                Scenario.values().length * Policy.values().length,
                list.size(),
                "every scenario under every policy");
        JsonNode a411 = null;
        for (JsonNode r : list) {
            for (String field :
                    new String[] {
                        "scenario",
                        "policy",
                        "outcome",
                        "removalMillis",
                        "sysfsStates",
                        "multipathStates",
                        "syncCacheOnWire",
                        "violations",
                        "host",
                        "kernel",
                        "provenance",
                        "deviceStates",
                        "causalTrace"
                    }) {
                assertTrue(r.has(field), field + " in " + r);
            }
            if (r.get("scenario").asText().equals("A-lld-unload-blocked")
                    && r.get("policy").asText().equals("v4.11")) {
                a411 = r;
            }
        }
        assertEquals("HUNG", a411.get("outcome").asText());
        assertEquals(
                "cancel",
                a411.get("deviceStates").get(a411.get("deviceStates").size() - 1).asText());
        assertEquals(
                "gone", a411.get("sysfsStates").get(a411.get("sysfsStates").size() - 1).asText());
        assertEquals("java", a411.get("host").asText());
    }

    /**
     * CI's smoke of the benchmark: a short run prints a sane table and JSON (numbers are not judged
     * here).
     */
    @Test
    void benchPrintsASaneTableAndJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        String out =
                ExternalProgram.ok(
                        Duration.ofMinutes(2),
                        "java",
                        "-jar",
                        JAR.toString(),
                        "bench",
                        "--lun",
                        "ram:64M",
                        "-w",
                        "randrw",
                        "-t",
                        "2",
                        "--verify",
                        "--json",
                        json.toString());
        assertTrue(out.contains("randrw 4k qd32 x1 70% reads"), out);
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertTrue(r.get("ios").asLong() > 0, r.toString());
        assertEquals(0, r.get("errors").asLong(), r.toString());
        assertEquals(0, r.get("verifyFailures").asLong(), r.toString());
        assertTrue(r.get("p99Micros").asDouble() >= r.get("p50Micros").asDouble(), r.toString());
    }
}
