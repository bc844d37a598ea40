package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report of {@code iscsilab bench} as a browser shows it: a real run writes the report,
 * headless Chromium loads it from the file, and its DOM has the histogram's bars and the series'
 * lines, and its screenshot has their colours, each chart below the one before it.
 */
class BenchReportIT {
    private static final Path JAR = IscsilabJar.path();

    /** The report's colours: read bars, the total IOPS line and the p99 latency line. */
    private static final int READ_BARS = 0x1f77b4;

    private static final int IOPS_LINE = 0x2ca02c;
    private static final int P99_LINE = 0xd62728;

    @Test
    void theHtmlReportRendersItsHistogramAndItsSeriesInChromium(@TempDir Path dir)
            throws Exception {
        ExternalProgram.require("chromium", "chromium");
        Path report = dir.resolve("report.html");
        Path json = dir.resolve("bench.json");
        ExternalProgram.ok(
                Duration.ofMinutes(2),
                "java",
                "-jar",
                JAR.toString(),
                "bench",
                "--lun",
                "ram:64M",
                "-w",
                "randread",
                "-q",
                "8",
                "-t",
                "3",
                "--ramp",
                "1",
                "--json",
                json.toString(),
                "--report",
                report.toString());
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertTrue(r.get("ios").asLong() > 0, r.toString());
        assertTrue(r.get("series").size() >= 4, "ramp and measured seconds: " + r.get("series"));

        String dom = chromium(dir, "--dump-dom", "file://" + report.toAbsolutePath());
        String histogram = element(dom, "latency-histogram-0");
        List<Double> heights =
                numbers(histogram, "<rect class=\"bar read\"[^>]*height=\"([0-9.]+)\"");
        assertTrue(
                heights.stream().anyMatch(h -> h > 20),
                "the histogram has bars of some height: " + heights);
        for (String series : List.of("iops-series-0", "latency-series-0")) {
            String svg = element(dom, series);
            Matcher m =
                    Pattern.compile("<polyline class=\"series [^\"]*\"[^>]*points=\"([^\"]*)\"")
                            .matcher(svg);
            assertTrue(m.find(), series + " has a line: " + svg);
            assertTrue(
                    m.group(1).trim().split("\\s+").length >= 4,
                    series + " has a point per second: " + m.group(1));
            assertTrue(svg.contains("seconds since the start"), series + " has its axis label");
        }

        Path png = dir.resolve("report.png");
        chromium(
                dir,
                "--screenshot=" + png,
                "--window-size=1200,1600",
                "file://" + report.toAbsolutePath());
        BufferedImage shot = ImageIO.read(png.toFile());
        double bars = medianRow(shot, READ_BARS, 300);
        double iops = medianRow(shot, IOPS_LINE, 100);
        double p99 = medianRow(shot, P99_LINE, 100);
        assertTrue(
                bars < iops && iops < p99,
                "histogram, IOPS and latency charts one below the other: rows "
                        + bars
                        + ", "
                        + iops
                        + ", "
                        + p99);
    }

    /** Runs headless Chromium on a fresh profile; its output (the DOM for --dump-dom). */
    private static String chromium(Path dir, String... args) throws Exception {
        Path profile = Files.createTempDirectory(dir, "chromium-profile");
        List<String> command =
                new ArrayList<>(
                        List.of(
                                "chromium",
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        ExternalProgram.Result r = ExternalProgram.run(Duration.ofMinutes(1), command);
        assertEquals(0, r.exitCode(), "chromium failed:\n" + r.output());
        return r.output();
    }

    /** The SVG element with this id, as the browser serialized it. */
    private static String element(String dom, String id) {
        int at = dom.indexOf("id=\"" + id + "\"");
        assertTrue(at > 0, "no element " + id + " in the DOM:\n" + dom);
        int start = dom.lastIndexOf("<svg", at);
        int end = dom.indexOf("</svg>", at);
        assertTrue(start >= 0 && end > at, "element " + id + " is not a whole <svg>");
        return dom.substring(start, end);
    }

    private static List<Double> numbers(String text, String regex) {
        List<Double> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            out.add(Double.parseDouble(m.group(1)));
        }
        return out;
    }

    /** The median row of the pixels of about this colour; fails if there are fewer than min. */
    private static double medianRow(BufferedImage img, int rgb, int min) {
        List<Integer> rows = new ArrayList<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if (near(img.getRGB(x, y), rgb)) {
                    rows.add(y);
                }
            }
        }
        assertTrue(
                rows.size() >= min,
                String.format(
                        "%d pixels of #%06x in the screenshot, want %d", rows.size(), rgb, min));
        Collections.sort(rows);
        return rows.get(rows.size() / 2);
    }

    private static boolean near(int argb, int rgb) {
        int d = 0;
        for (int shift = 0; shift <= 16; shift += 8) {
            d += Math.abs(((argb >> shift) & 0xff) - ((rgb >> shift) & 0xff));
        }
        return d < 40;
    }
}
