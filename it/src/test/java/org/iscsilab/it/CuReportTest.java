package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The iscsi-test-cu output reader tells passes, self-skips and failures apart. */
class CuReportTest {
    private static final String SAMPLE =
            String.join(
                    "\n",
                    "Suite: CompareAndWrite",
                    "  Test: Simple ...    [SKIPPED] COMPAREANDWRITE is not implemented.",
                    "    [SKIPPED] COMPAREANDWRITE is not implemented.",
                    "passed",
                    "  Test: Unwritten ...    [SKIPPED] COMPAREANDWRITE is not implemented.",
                    "passed    [SKIPPED] PERSISTENT RESERVE IN is not implemented.",
                    "Suite: Inquiry",
                    "  Test: Standard ...passed",
                    "  Test: VersionDescriptors ...passed    [SKIPPED] PERSISTENT RESERVE IN is not implemented.",
                    "Suite: iSCSIdatasn",
                    "  Test: iSCSIDataSnInvalid ...    [FAILED] WRITE10 command failed with status 251658241",
                    "passed",
                    "Suite: Read10",
                    "  Test: Simple ...FAILED",
                    "    1. test_read10_simple.c:50  - CU_ASSERT_EQUAL(ret,0)",
                    "Run Summary:    Type  Total    Ran Passed Failed Inactive",
                    "              suites     51     51    n/a      0        0",
                    "               tests    230    230    229      1        0");

    @Test
    void classifiesEachTestByItsOwnLinesOnly() {
        CuReport r = CuReport.parse(SAMPLE);
        assertEquals(6, r.results.size());
        assertEquals(CuReport.Verdict.SKIPPED, r.results.get(0).verdict());
        assertEquals("COMPAREANDWRITE is not implemented.", r.results.get(0).skipReason());
        assertEquals(CuReport.Verdict.SKIPPED, r.results.get(1).verdict());
        assertEquals(CuReport.Verdict.PASSED, r.results.get(2).verdict());
        assertEquals(
                CuReport.Verdict.PASSED,
                r.results.get(3).verdict(),
                "a suite teardown skip is not the test's");
        assertEquals(
                CuReport.Verdict.PASSED,
                r.results.get(4).verdict(),
                "an expected [FAILED] log line is not a failure");
        assertEquals(CuReport.Verdict.FAILED, r.results.get(5).verdict());
        assertEquals(230, r.summaryRan);
        assertEquals(1, r.summaryFailed);
    }
}
