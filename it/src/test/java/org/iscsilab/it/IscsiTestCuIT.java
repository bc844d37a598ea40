package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.iscsilab.iscsi.node.TargetSettings;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.Test;

/**
 * libiscsi's conformance suite, iscsi-test-cu, family ALL with --dataloss and the same URL twice
 * (so the multipath tests run), against each LUN configuration. A test fails the build when it
 * FAILS in any configuration, and when it is skipped in every configuration without being on the
 * checked-in list of known skips — so nothing slips back from passing to skipping. Writes
 * target/iscsi-test-cu.json and prints a table: test, configuration, result.
 */
class IscsiTestCuIT {

    /**
     * A LUN configuration; {@code excluded} maps tests whose verdict here is not the target's to
     * why. {@code settings} are the target's protocol settings for the run.
     */
    record Configuration(
            String name,
            String lunSpec,
            String tests,
            boolean multipath,
            List<String> flags,
            TargetSettings settings,
            Map<String, String> excluded,
            boolean twoPortalGroups) {
        Configuration(
                String name,
                String lunSpec,
                String tests,
                boolean multipath,
                List<String> flags,
                TargetSettings settings,
                Map<String, String> excluded) {
            this(name, lunSpec, tests, multipath, flags, settings, excluded, false);
        }

        Configuration(String name, String lunSpec, Map<String, String> excluded) {
            this(name, lunSpec, "ALL", true, List.of(), TargetSettings.defaults(), excluded);
        }

        Configuration(String name, String lunSpec, String tests, Map<String, String> excluded) {
            this(name, lunSpec, tests, true, List.of(), TargetSettings.defaults(), excluded);
        }
    }

    static final Path FILE_LUN = Path.of("target", "iscsi-test-cu-file.img").toAbsolutePath();

    static final List<Configuration> CONFIGURATIONS =
            List.of(
                    new Configuration("ram-512", "ram:256M", Map.of()),
                    // two portal groups with ALUA (both active), the suite's second path through
                    // the other group: its multipath tests meet two target ports
                    new Configuration(
                            "two-portal-groups",
                            "ram:256M",
                            "ALL",
                            true,
                            List.of(),
                            TargetSettings.defaults(),
                            Map.of(),
                            true),
                    new Configuration(
                            "ram-4096", "ram:256M,block=4096", accessTestsAssume512ByteBlocks()),
                    new Configuration("thin", "ram:256M,thin", Map.of()),
                    // a sparse file, thin: UNMAP punches holes, FUA and SYNCHRONIZE CACHE call
                    // fsync
                    new Configuration("file", "file:" + FILE_LUN + ":256M,thin", Map.of()),
                    new Configuration("removable", "ram:256M,removable", Map.of()),
                    // a write-protected LUN makes every write test fail by design, so it runs the
                    // suite made for it
                    new Configuration("read-only", "ram:256M,thin,ro", "SCSI.ReadOnly", Map.of()),
                    new Configuration(
                            "thin-lbppb8",
                            "ram:256M,thin,physical=4096",
                            Map.of(
                                    "GetLBAStatus.UnmapSingle",
                                    "the test expects the status descriptor for LBA i+1 to start at "
                                            + "i+LBPPB, which holds only when LBPPB is 1; it passes in the thin configuration")),
                    // SANITIZE erases the whole LUN and stays in progress for 8 s, so it runs only
                    // with --allow-sanitize.
                    // Sanitize.Reset waits for the end with sleep(60) between commands without
                    // reading its socket;
                    // target NOP-In pings would time out and drop it, and every relogin brings a
                    // new unit attention,
                    // so this run turns the pings off. One path: Sanitize.Reservations opens its
                    // own second session.
                    new Configuration(
                            "sanitize",
                            "ram:64M,thin",
                            "SCSI.Sanitize",
                            false,
                            List.of("--allow-sanitize"),
                            TargetSettings.defaults().withNopIn(Duration.ZERO, Duration.ZERO),
                            Map.of()));

    /**
     * ProutReserve.Access* read and write one block through a 512-byte buffer, whatever the block
     * size.
     */
    private static Map<String, String> accessTestsAssume512ByteBlocks() {
        Map<String, String> m = new TreeMap<>();
        for (String t : List.of("EA", "WE", "EARO", "WERO", "EAAR", "WEAR")) {
            m.put(
                    "ProutReserve.Access" + t,
                    "the test moves one block in a 512-byte buffer, so a 4096-byte block "
                            + "arrives short (INVALID FIELD IN INFORMATION UNIT); it passes with 512-byte blocks");
        }
        return m;
    }

    @Test
    void theAllFamilyHasNoFailureAndNoNewSkip() throws Exception {
        ExternalProgram.require("iscsi-test-cu", "libiscsi-bin");
        Map<String, CuReport> reports = new LinkedHashMap<>();
        StringBuilder json = new StringBuilder("{\"configurations\":[");
        for (Configuration c : CONFIGURATIONS) {
            CuReport report = run(c);
            reports.put(c.name(), report);
            json.append(json.charAt(json.length() - 1) == '[' ? "" : ",")
                    .append(report.toJson(c.name()));
        }
        json.append("]}\n");
        Files.writeString(
                Path.of("target", "iscsi-test-cu.json"), json.toString(), StandardCharsets.UTF_8);

        Map<String, Map<String, CuReport.Verdict>> byTest = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (Configuration c : CONFIGURATIONS) {
            for (CuReport.TestResult t : reports.get(c.name()).results) {
                byTest.computeIfAbsent(t.name(), k -> new LinkedHashMap<>())
                        .put(c.name(), t.verdict());
                if (t.verdict() == CuReport.Verdict.FAILED && !c.excluded().containsKey(t.name())) {
                    failures.add(t.name() + " in " + c.name());
                }
            }
        }
        printTable(byTest);
        Map<String, String> knownSkips = knownSkips();
        List<String> newSkips = new ArrayList<>();
        TreeSet<String> skippedEverywhere = new TreeSet<>();
        for (Map.Entry<String, Map<String, CuReport.Verdict>> e : byTest.entrySet()) {
            boolean passedSomewhere =
                    e.getValue().entrySet().stream()
                            .anyMatch(
                                    v ->
                                            v.getValue() == CuReport.Verdict.PASSED
                                                    && !excluded(v.getKey(), e.getKey()));
            if (!passedSomewhere) {
                skippedEverywhere.add(e.getKey());
                if (!knownSkips.containsKey(e.getKey())) {
                    newSkips.add(e.getKey());
                }
            }
        }
        List<String> stale =
                knownSkips.keySet().stream().filter(k -> !skippedEverywhere.contains(k)).toList();
        System.out.printf(
                "iscsi-test-cu: %d tests, %d pass in some configuration, %d skipped in all, %d failures%n",
                byTest.size(),
                byTest.size() - skippedEverywhere.size(),
                skippedEverywhere.size(),
                failures.size());

        assertEquals(List.of(), failures, "no iscsi-test-cu test fails");
        assertEquals(
                List.of(),
                newSkips,
                "tests skipped in every configuration but not on the known-skip list");
        assertEquals(
                List.of(),
                stale,
                "known skips that now pass: take them off iscsi-test-cu-known-skips.txt");
        assertTrue(byTest.size() >= 230, "all tests of the ALL family ran: " + byTest.size());
    }

    private static boolean excluded(String configuration, String test) {
        return CONFIGURATIONS.stream()
                .anyMatch(c -> c.name().equals(configuration) && c.excluded().containsKey(test));
    }

    private static CuReport run(Configuration c) throws Exception {
        Files.createDirectories(FILE_LUN.getParent());
        Files.deleteIfExists(
                FILE_LUN); // every run starts from an empty image without persisted reservations
        Files.deleteIfExists(FILE_LUN.resolveSibling(FILE_LUN.getFileName() + ".pr"));
        try (EmbeddedTarget target =
                c.twoPortalGroups()
                        ? EmbeddedTarget.start(EmbeddedTarget.twoPortalGroups(null, c.lunSpec()))
                        : EmbeddedTarget.start(c.settings(), c.lunSpec())) {
            String url = target.libiscsiUrl(0);
            List<String> command =
                    new ArrayList<>(
                            List.of("stdbuf", "-o0", "-e0", "iscsi-test-cu", "--dataloss", "-v"));
            command.addAll(c.flags());
            command.addAll(List.of("-t", c.tests(), url));
            if (c.multipath()) {
                command.add(c.twoPortalGroups() ? target.libiscsiUrl(0, 1) : url);
            }
            ExternalProgram.Result run = ExternalProgram.run(Duration.ofMinutes(10), command);
            Files.createDirectories(Path.of("target"));
            Files.writeString(
                    Path.of("target", "iscsi-test-cu-" + c.name() + ".log"),
                    run.output(),
                    StandardCharsets.UTF_8);
            CuReport report = CuReport.parse(run.output());
            assertTrue(
                    report.summaryRan > (c.tests().equals("ALL") ? 200 : 0),
                    c.name() + ": iscsi-test-cu ran its suite:\n" + tail(run.output()));
            assertEquals(
                    report.summaryRan,
                    report.results.size(),
                    c.name() + ": every test that ran has a verdict");
            return report;
        }
    }

    /** it/src/test/resources/iscsi-test-cu-known-skips.txt: "Suite.Test reason" per line. */
    private static Map<String, String> knownSkips() throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (InputStream in =
                IscsiTestCuIT.class.getResourceAsStream("/iscsi-test-cu-known-skips.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    String[] parts = line.split("\\s+", 2);
                    m.put(parts[0], parts.length > 1 ? parts[1] : "");
                }
            }
        }
        return m;
    }

    private static void printTable(Map<String, Map<String, CuReport.Verdict>> byTest) {
        StringBuilder sb = new StringBuilder(String.format("%n%-48s", "test"));
        for (Configuration c : CONFIGURATIONS) {
            sb.append(String.format(" %-12s", c.name()));
        }
        sb.append('\n');
        for (Map.Entry<String, Map<String, CuReport.Verdict>> e : byTest.entrySet()) {
            sb.append(String.format("%-48s", e.getKey()));
            for (Configuration c : CONFIGURATIONS) {
                CuReport.Verdict v = e.getValue().get(c.name());
                String cell = v == null ? "-" : v.name().toLowerCase();
                if (c.excluded().containsKey(e.getKey())) {
                    cell += "*";
                }
                sb.append(String.format(" %-12s", cell));
            }
            sb.append('\n');
        }
        sb.append("* excluded in that configuration (see IscsiTestCuIT)\n");
        System.out.println(sb);
    }

    private static String tail(String s) {
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }
}
