package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.iscsilab.iscsi.target.EmbeddedTarget;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * libiscsi's conformance suite, iscsi-test-cu, family ALL with --dataloss and the same URL twice
 * (so the multipath tests run). Writes target/iscsi-test-cu-*.json and prints a table per suite.
 */
class IscsiTestCuIT {
    /** Suites that must not fail at this stage: the iSCSI protocol and the basic SBC/SPC commands. */
    private static final List<String> REQUIRED = List.of("iSCSI", "Read6", "Read10", "Read12", "Read16", "Write10",
            "Write12", "Write16", "Inquiry", "ReadCapacity10", "ReadCapacity16", "TestUnitReady", "ReportLuns");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ram:256M", "ram:256M,block=4096", "ram:256M,thin"})
    void theAllFamilyRunsWithNoFailure(String lun) throws Exception {
        ExternalProgram.require("iscsi-test-cu", "libiscsi-bin");
        try (EmbeddedTarget target = EmbeddedTarget.start(lun)) {
            String url = target.libiscsiUrl(0);
            ExternalProgram.Result run = ExternalProgram.run(Duration.ofMinutes(10), "stdbuf", "-o0", "-e0",
                    "iscsi-test-cu", "--dataloss", "-v", "-t", "ALL", url, url);
            CuReport report = CuReport.parse(run.output());
            String name = lun.replace(':', '-').replace(',', '-').replace('=', '-');
            Path dir = Path.of("target");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("iscsi-test-cu-" + name + ".log"), run.output(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("iscsi-test-cu-" + name + ".json"), report.toJson(lun), StandardCharsets.UTF_8);
            printTable(lun, report);

            assertTrue(report.summaryRan > 200, "iscsi-test-cu ran its suite:\n" + tail(run.output()));
            assertEquals(report.summaryRan, report.results.size(), "every test that ran has a verdict");
            assertEquals(0, report.summaryFailed, "CUnit's own failure count");
            assertEquals(List.of(), report.with(CuReport.Verdict.FAILED), "no iscsi-test-cu test fails");
            for (CuReport.TestResult t : report.results) {
                boolean required = REQUIRED.stream().anyMatch(s -> t.suite().equals(s) || t.suite().startsWith("iSCSI"));
                if (required) {
                    assertTrue(t.verdict() != CuReport.Verdict.FAILED, t.name() + " must pass");
                }
            }
        }
    }

    private static void printTable(String lun, CuReport report) {
        StringBuilder sb = new StringBuilder("\niscsi-test-cu ALL against " + lun + "\n");
        sb.append(String.format("%-28s %7s %7s %7s%n", "suite", "passed", "skipped", "failed"));
        for (Map.Entry<String, long[]> e : report.bySuite().entrySet()) {
            long[] c = e.getValue();
            sb.append(String.format("%-28s %7d %7d %7d%n", e.getKey(), c[0], c[1], c[2]));
        }
        sb.append(String.format("%-28s %7d %7d %7d%n", "TOTAL", report.count(CuReport.Verdict.PASSED),
                report.count(CuReport.Verdict.SKIPPED), report.count(CuReport.Verdict.FAILED)));
        System.out.println(sb);
    }

    private static String tail(String s) {
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }
}
