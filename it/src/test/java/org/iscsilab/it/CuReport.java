package org.iscsilab.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads iscsi-test-cu's verbose CUnit output into one verdict per test. CUnit counts a test that
 * skips itself (libiscsi's "[SKIPPED] ... not implemented") as passed; this report keeps them
 * apart: a test is SKIPPED when a [SKIPPED] line appears between its name and its verdict.
 */
final class CuReport {
    enum Verdict {
        PASSED,
        SKIPPED,
        FAILED
    }

    record TestResult(String suite, String test, Verdict verdict, String skipReason) {
        String name() {
            return suite + "." + test;
        }
    }

    private static final Pattern SUITE = Pattern.compile("^Suite: (\\S+)");
    private static final Pattern TEST = Pattern.compile("^  Test: (\\S+) \\.\\.\\.");
    private static final Pattern VERDICT = Pattern.compile("(^|\\.\\.\\.)(passed|FAILED)");
    private static final Pattern SKIP = Pattern.compile("\\[SKIPPED\\] ?(.*)");
    private static final Pattern SUMMARY =
            Pattern.compile("^\\s+tests\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)");

    final List<TestResult> results = new ArrayList<>();
    int summaryRan = -1;
    int summaryFailed = -1;

    static CuReport parse(String output) {
        CuReport r = new CuReport();
        String suite = "?";
        String test = null;
        String skip = null;
        for (String line : output.split("\n")) {
            Matcher m = SUITE.matcher(line);
            if (m.find()) {
                suite = m.group(1);
                continue;
            }
            Matcher s = SUMMARY.matcher(line);
            if (s.find()) {
                r.summaryRan = Integer.parseInt(s.group(2));
                r.summaryFailed = Integer.parseInt(s.group(4));
                continue;
            }
            String rest = line;
            Matcher t = TEST.matcher(line);
            if (t.find()) {
                test = t.group(1);
                skip = null;
                rest = line.substring(t.end() - 3);
            }
            if (test == null) {
                continue;
            }
            Matcher v = VERDICT.matcher(rest);
            String before = v.find() ? rest.substring(0, v.start()) : rest;
            Matcher sk = SKIP.matcher(before);
            if (sk.find() && skip == null) {
                skip = sk.group(1).trim();
            }
            if (v.find(0)) {
                Verdict verdict =
                        v.group(2).equals("FAILED")
                                ? Verdict.FAILED
                                : skip != null ? Verdict.SKIPPED : Verdict.PASSED;
                r.results.add(new TestResult(suite, test, verdict, skip));
                test = null;
            }
        }
        return r;
    }

    long count(Verdict v) {
        return results.stream().filter(t -> t.verdict() == v).count();
    }

    List<TestResult> with(Verdict v) {
        return results.stream().filter(t -> t.verdict() == v).toList();
    }

    /** Counts per suite: suite -> [passed, skipped, failed]. */
    Map<String, long[]> bySuite() {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (TestResult t : results) {
            m.computeIfAbsent(t.suite(), k -> new long[3])[t.verdict().ordinal()]++;
        }
        return m;
    }

    String toJson(String configuration) {
        StringBuilder sb =
                new StringBuilder("{\"configuration\":\"")
                        .append(configuration)
                        .append("\",")
                        .append("\"passed\":")
                        .append(count(Verdict.PASSED))
                        .append(",\"skipped\":")
                        .append(count(Verdict.SKIPPED))
                        .append(",\"failed\":")
                        .append(count(Verdict.FAILED))
                        .append(",\"tests\":[");
        for (int i = 0; i < results.size(); i++) {
            TestResult t = results.get(i);
            sb.append(i == 0 ? "" : ",")
                    .append("{\"name\":\"")
                    .append(t.name())
                    .append("\",\"verdict\":\"")
                    .append(t.verdict())
                    .append("\"");
            if (t.skipReason() != null) {
                sb.append(",\"skip\":\"")
                        .append(t.skipReason().replace("\\", "\\\\").replace("\"", "\\\""))
                        .append("\"");
            }
            sb.append("}");
        }
        return sb.append("]}").toString();
    }
}
