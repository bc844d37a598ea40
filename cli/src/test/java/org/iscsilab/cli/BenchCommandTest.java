package org.iscsilab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.iscsilab.cli.CommandLineRefusalsTest.Run;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code iscsilab bench} as a user runs it: JSON on standard output, job files, CHAP and digests
 * against a protected target, and the target's CPU from a PID or from Prometheus metrics. Short
 * runs against embedded RAM targets; no numbers are judged.
 */
class BenchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SHORT =
            List.of("-t", "0.8", "--ramp", "0.3", "-q", "4", "--lun", "ram:16M");

    @TempDir Path dir;

    private static Run bench(List<String> options, String... more) {
        List<String> args = new ArrayList<>(List.of("bench"));
        args.addAll(options);
        args.addAll(List.of(more));
        return CommandLineRefusalsTest.run(args);
    }

    @Test
    void jsonDashPutsOnlyTheJsonOnStandardOutputAndTheRestOnStandardError() throws Exception {
        Run r = bench(SHORT, "-w", "randrw", "--json", "-");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertTrue(r.out().strip().startsWith("{") && r.out().strip().endsWith("}"), r.out());
        assertTrue(j.get("ios").asLong() > 0, r.out());
        assertTrue(r.err().contains("[ramp "), "ramp seconds are labelled: " + r.err());
        assertTrue(
                r.err().matches("(?s).*\\n\\[ +\\d+\\.\\ds\\] .*"), "measured seconds: " + r.err());
        assertTrue(
                r.err().contains("IOPS") && r.err().contains("randrw 4k qd4 x1 70% reads"),
                r.err());
        assertTrue(
                r.err().contains("direction"), "a mixed run has a table per direction: " + r.err());
        assertTrue(j.get("read").get("ios").asLong() > 0 && j.get("write").get("ios").asLong() > 0);
        assertEquals(
                j.get("ios").asLong(),
                j.get("read").get("ios").asLong() + j.get("write").get("ios").asLong());
    }

    @Test
    void scriptsThatTakeTheFirstOrLastMatchOfAFieldReadTheTotals() throws Exception {
        Path f = dir.resolve("r.json");
        Run r = bench(SHORT, "-w", "randrw", "--json", f.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(f);
        JsonNode j = JSON.readTree(f.toFile());
        for (String field :
                List.of(
                        "iops",
                        "megabytesPerSecond",
                        "p50Micros",
                        "p99Micros",
                        "bytes",
                        "errors")) {
            List<String> values = new ArrayList<>();
            for (String line : lines) {
                if (line.contains("\"" + field + "\"")) {
                    values.add(line.split(":", 2)[1].replaceAll("[ ,]", ""));
                }
            }
            assertFalse(values.isEmpty(), field);
            assertEquals(j.get(field).asText(), values.get(0), "first " + field);
            assertEquals(
                    j.get(field).asDouble(),
                    Double.parseDouble(values.get(values.size() - 1)),
                    "last " + field);
        }
    }

    @Test
    void everyFieldOfTheJsonIsDocumented() throws Exception {
        Run r = bench(SHORT, "-w", "randrw", "--json", "-");
        assertEquals(0, r.code(), r.err());
        Set<String> names = new TreeSet<>();
        fieldNames(JSON.readTree(r.out()), names);
        String docs =
                Files.readString(
                        Path.of(System.getProperty("basedir", "."))
                                .toAbsolutePath()
                                .resolveSibling("docs")
                                .resolve("benchmarks.md"));
        String table = docs.substring(docs.indexOf("### JSON"), docs.indexOf("### Report"));
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("[`.]([a-zA-Z0-9]+)(?=[`.\\[])").matcher(table);
        while (m.find()) {
            documented.add(m.group(1));
        }
        names.removeAll(documented);
        names.removeIf(n -> n.matches("[0-9.]+")); // percentile keys, documented as such
        assertTrue(names.isEmpty(), "fields missing from the JSON table in docs: " + names);
    }

    private static void fieldNames(JsonNode n, Set<String> out) {
        if (n.isArray()) {
            n.forEach(e -> fieldNames(e, out));
        } else if (n.isObject()) {
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                out.add(name);
                fieldNames(n.get(name), out);
            }
        }
    }

    @Test
    void aJobFileRunsEveryJobWithItsOverridesAndTheCommandLineOverridesTheFile() throws Exception {
        Path jobs = dir.resolve("jobs.yaml");
        Files.writeString(
                jobs,
                "global:\n"
                        + "  lun: ram:16M\n"
                        + "  duration: 0.6\n"
                        + "  ramp: 0.2\n"
                        + "  depth: 2\n"
                        + "jobs:\n"
                        + "  - name: reads\n"
                        + "    workload: randread\n"
                        + "  - name: mixed\n"
                        + "    workload: randrw\n"
                        + "    bs: 4k:50,16k:50\n"
                        + "    distribution: hotspot:90/10\n"
                        + "    verify: true\n");
        Path json = dir.resolve("jobs.json");
        Path svg = dir.resolve("jobs.svg");
        Run r =
                bench(
                        List.of(),
                        "--job",
                        jobs.toString(),
                        "-q",
                        "3",
                        "--json",
                        json.toString(),
                        "--report",
                        svg.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode all = JSON.readTree(json.toFile()).get("jobs");
        assertEquals(2, all.size());
        assertEquals("reads", all.get(0).get("name").asText());
        assertEquals("randread", all.get(0).get("workload").asText());
        assertEquals("mixed", all.get(1).get("name").asText());
        assertEquals("hotspot:90/10", all.get(1).get("distribution").asText());
        assertTrue(all.get(1).get("verify").asBoolean());
        assertEquals(2, all.get(1).get("blockSizes").size());
        for (JsonNode j : all) {
            assertEquals(3, j.get("depth").asInt(), "the command line's -q wins");
            assertEquals(0.2, j.get("rampSeconds").asDouble(), 1e-9, "global applies");
            assertTrue(j.get("ios").asLong() > 0);
        }
        assertTrue(r.out().contains("reads: randread 4k qd3 x1"), r.out());
        assertTrue(
                r.out().contains("mixed: randrw 4k:50,16k:50 qd3 x1 70% reads hotspot:90/10"),
                r.out());
        String report = Files.readString(svg);
        assertTrue(report.startsWith("<?xml") && report.contains("latency-histogram-1"), report);
    }

    @Test
    void aBadJobFileIsRefusedBeforeAnythingRunsNamingTheJobAndTheKey() throws Exception {
        Path report = dir.resolve("r.html");
        String[][] cases = {
            {"jobs:\n  - name: a\n    deph: 4\n", "job 'a': unknown key 'deph'"},
            {
                "jobs:\n  - name: a\n  - name: b\n    depth: 0\n",
                "job 'b': --depth 0: give 1 to 128"
            },
            {"jobs:\n  - name: a\n  - name: a\n", "two jobs are named 'a'"},
            {"global:\n  depth: 4\n", "no jobs"},
            {"jobs: [\n", "not a job file"},
            {"job:\n  - name: a\n", "unknown top-level key 'job'"},
            {"jobs:\n  - bs: [4k]\n", "'bs' needs one value"},
            {
                "jobs:\n  - name: z\n    workload: read\n    distribution: zipf:1.1\n",
                "needs a random workload"
            },
        };
        for (String[] c : cases) {
            Path jobs = dir.resolve("bad.yaml");
            Files.writeString(jobs, c[0]);
            Run r = bench(List.of(), "--job", jobs.toString(), "--report", report.toString());
            assertEquals(CliErrors.USAGE, r.code(), c[0] + ": " + r.err());
            assertTrue(r.err().contains("--job " + jobs), r.err());
            assertTrue(r.err().contains(c[1]), "'" + c[1] + "' in " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(r.err().contains("bench:") && r.err().contains("IOPS"), "nothing ran");
            assertFalse(Files.exists(report), "a refused command writes nothing");
        }
    }

    @Test
    void chapAndDigestsLetBenchMeasureAProtectedTarget() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M")) {
            t.requireChap(
                    new ChapCredentials("bench-user", "bench-secret-1234"),
                    new ChapCredentials("target-user", "target-secret-1234"));
            List<String> base =
                    List.of("--target", t.libiscsiUrl(0), "-t", "0.5", "--ramp", "0", "-q", "2");
            Run without = bench(base);
            assertEquals(CliErrors.FAILED, without.code(), "no CHAP, no login: " + without.err());
            List<String> chap =
                    List.of("--chap-user", "bench-user", "--chap-secret", "bench-secret-1234");
            List<String> withChap = new ArrayList<>(base);
            withChap.addAll(chap);
            Run with =
                    bench(
                            withChap,
                            "--mutual-chap-user",
                            "target-user",
                            "--mutual-chap-secret",
                            "target-secret-1234",
                            "--header-digest",
                            "CRC32C",
                            "--data-digest",
                            "crc32c",
                            "--initiator-name",
                            "iqn.2026-01.org.example:bench-host");
            assertEquals(0, with.code(), with.err());
            Run wrongMutual =
                    bench(
                            withChap,
                            "--mutual-chap-user",
                            "target-user",
                            "--mutual-chap-secret",
                            "not-the-target-secret");
            assertEquals(CliErrors.FAILED, wrongMutual.code(), "the target must prove its secret");
        }
        // the embedded target asks for the credentials given
        List<String> embedded = new ArrayList<>(SHORT);
        embedded.addAll(List.of("--chap-user", "u", "--chap-secret", "embedded-secret-1"));
        Run r =
                bench(
                        embedded,
                        "--mutual-chap-user",
                        "t",
                        "--mutual-chap-secret",
                        "target-secret-12");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void theTargetsCpuComesFromItsPid() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M")) {
            // the target runs in this JVM, so this process' PID is the target's
            Run r =
                    bench(
                            List.of(
                                    "--target",
                                    t.libiscsiUrl(0),
                                    "-t",
                                    "1",
                                    "--ramp",
                                    "0.2",
                                    "-q",
                                    "4"),
                            "--target-pid",
                            Long.toString(ProcessHandle.current().pid()),
                            "--json",
                            "-");
            assertEquals(0, r.code(), r.err());
            JsonNode cpu = JSON.readTree(r.out()).get("cpu");
            assertEquals("target-pid", cpu.get("targetSource").asText());
            assertEquals("process", cpu.get("clientSource").asText());
            assertTrue(cpu.get("targetSeconds").asDouble() > 0, r.err() + r.out());
            assertTrue(cpu.get("targetMicrosPerCommand").asDouble() > 0, cpu.toString());
        }
    }

    @Test
    void theTargetsCpuComesFromItsPrometheusMetrics() throws Exception {
        AtomicInteger scrapes = new AtomicInteger();
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext(
                "/metrics",
                x -> {
                    // every scrape finds 0.25 s more CPU time
                    byte[] body =
                            ("# TYPE process_cpu_seconds_total counter\n"
                                            + "process_cpu_seconds_total "
                                            + (10 + 0.25 * scrapes.getAndIncrement())
                                            + "\n")
                                    .getBytes(StandardCharsets.UTF_8);
                    x.sendResponseHeaders(200, body.length);
                    x.getResponseBody().write(body);
                    x.close();
                });
        http.start();
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M")) {
            String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/metrics";
            Run r =
                    bench(
                            List.of(
                                    "--target",
                                    t.libiscsiUrl(0),
                                    "-t",
                                    "0.6",
                                    "--ramp",
                                    "0.2",
                                    "-q",
                                    "2"),
                            "--target-metrics",
                            url,
                            "--json",
                            "-");
            assertEquals(0, r.code(), r.err());
            JsonNode j = JSON.readTree(r.out());
            JsonNode cpu = j.get("cpu");
            assertEquals("target-metrics", cpu.get("targetSource").asText());
            // one scrape checks the URL, then one at the ramp's end and one at the end
            assertEquals(3, scrapes.get());
            assertEquals(0.25, cpu.get("targetSeconds").asDouble(), 1e-9);
            assertEquals(
                    0.25e6 / j.get("ios").asLong(),
                    cpu.get("targetMicrosPerCommand").asDouble(),
                    1e-6);
            Run missing =
                    bench(
                            List.of("--target", t.libiscsiUrl(0)),
                            "--target-metrics",
                            "http://127.0.0.1:" + http.getAddress().getPort() + "/nothing");
            assertEquals(CliErrors.USAGE, missing.code(), missing.err());
            assertTrue(missing.err().contains("--target-metrics"), missing.err());
        } finally {
            http.stop(0);
        }
    }
}
