package org.iscsilab.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

/**
 * The report of a real mixed run: self-contained, with a bar per non-empty histogram bucket and
 * direction, a line per series, axis labels, and an SVG variant that is well-formed XML.
 */
class BenchReportTest {
    private static BenchResult result;

    @BeforeAll
    static void run() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M")) {
            result =
                    new LoadGenerator(t.address(), t.iqn(), 0, LoginOptions.DEFAULT, null, true)
                            .run(
                                    new BenchSpec(
                                            Workload.RANDRW,
                                            BlockSizeMix.parse("4k"),
                                            4,
                                            1,
                                            Duration.ofMillis(1200),
                                            50,
                                            false,
                                            1,
                                            Duration.ofMillis(400),
                                            Distribution.UNIFORM,
                                            0,
                                            List.of(50.0, 99.0)),
                                    p -> {})
                            .named("mixed");
        }
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void theHtmlHasABarPerBucketAndDirectionAndALinePerSeries() {
        String html = BenchReport.html(List.of(result));
        long readBuckets = result.read().histogram().stream().filter(b -> b.count() > 0).count();
        long writeBuckets = result.write().histogram().stream().filter(b -> b.count() > 0).count();
        assertEquals(readBuckets, count(html, "<rect class=\"bar read\""));
        assertEquals(writeBuckets, count(html, "<rect class=\"bar write\""));
        assertEquals(3, count(html, "<svg [^>]*class=\"chart\""));
        for (String line :
                List.of("total", "read", "write", "p50", "p99", "read-p99", "write-p99")) {
            assertEquals(1, count(html, "<polyline class=\"series " + line + "\""), line);
        }
        int points = result.series().size();
        Matcher m = Pattern.compile("class=\"series total\"[^>]*points=\"([^\"]*)\"").matcher(html);
        assertTrue(m.find());
        assertEquals(points, m.group(1).split(" ").length, "a point per second");
        assertTrue(html.contains("share of commands, %") && html.contains("IOPS per second"));
        assertTrue(html.contains("<h2>mixed: randrw 4k qd4 x1 50% reads</h2>"), html);
        assertTrue(html.contains("<th>p99 µs</th>"), "the percentiles asked for are columns");
    }

    @Test
    void theReportLoadsNothingFromOutside() {
        String html = BenchReport.html(List.of(result));
        assertFalse(html.contains("<script"), "no scripts");
        assertFalse(html.contains("<link"), "no style sheets or fonts");
        assertEquals(
                0,
                count(html.replace("http://www.w3.org/2000/svg", ""), "https?://"),
                "no URL but the SVG namespace");
    }

    @Test
    void theSvgReportIsWellFormedXml(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("r.svg");
        BenchReport.write(svg, List.of(result, result.named("again")));
        String text = Files.readString(svg);
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document d = f.newDocumentBuilder().parse(new InputSource(new StringReader(text)));
        assertEquals("svg", d.getDocumentElement().getLocalName());
        assertEquals(6, count(text, "<svg [^>]*class=\"chart\""), "three charts per job");
        assertTrue(text.contains("id=\"latency-histogram-1\""), "the second job's charts");
        Path html = dir.resolve("r.html");
        BenchReport.write(html, List.of(result));
        assertTrue(Files.readString(html).startsWith("<!DOCTYPE html>"));
    }
}
