package org.iscsilab.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The report of a run as one self-contained file: HTML with inline SVG charts, or a bare SVG. Per
 * job a latency histogram (share of the measured commands per latency bucket, per direction) and
 * two time series, IOPS per second and p50/p99 latency per second, with the ramp shaded. No
 * scripts, fonts or style sheets are fetched: the file reads the same offline.
 */
public final class BenchReport {
    static final String READ_COLOR = "#1f77b4";
    static final String WRITE_COLOR = "#ff7f0e";
    static final String TOTAL_COLOR = "#2ca02c";
    static final String P50_COLOR = "#9467bd";
    static final String P99_COLOR = "#d62728";

    private BenchReport() {}

    /** Writes an .svg file as SVG and anything else as HTML. */
    public static void write(Path file, List<BenchResult> results) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        Files.writeString(
                file, name.endsWith(".svg") ? svg(results) : html(results), StandardCharsets.UTF_8);
    }

    /** A page with a summary table and the charts of every job. */
    public static String html(List<BenchResult> results) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>iscsilab bench report</title>\n<style>\n")
                .append("body { font-family: sans-serif; margin: 24px; color: #222; }\n")
                .append("table { border-collapse: collapse; margin: 8px 0 16px; }\n")
                .append("th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }\n")
                .append("th:first-child, td:first-child { text-align: left; }\n")
                .append("svg.chart { display: block; margin: 8px 0; }\n")
                .append("</style>\n</head>\n<body>\n<h1>iscsilab bench report</h1>\n");
        for (int j = 0; j < results.size(); j++) {
            BenchResult r = results.get(j);
            h.append("<section class=\"job\" id=\"job-")
                    .append(j)
                    .append("\">\n<h2>")
                    .append(SvgChart.escape(title(r)))
                    .append("</h2>\n");
            summary(h, r);
            for (SvgChart c : charts(r, j)) {
                h.append(c.svg(0, 0));
            }
            h.append("</section>\n");
        }
        return h.append("</body>\n</html>\n").toString();
    }

    /** One SVG document with the charts of every job stacked. */
    public static String svg(List<BenchResult> results) {
        StringBuilder inner = new StringBuilder();
        int y = 0;
        for (int j = 0; j < results.size(); j++) {
            BenchResult r = results.get(j);
            inner.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"10\" y=\"%d\" font-size=\"18\" font-weight=\"bold\">%s</text>\n",
                            y + 26,
                            SvgChart.escape(title(r))));
            y += 40;
            for (SvgChart c : charts(r, j)) {
                inner.append(c.svg(0, y));
                y += SvgChart.HEIGHT + 10;
            }
        }
        return String.format(
                        Locale.ROOT,
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
                                + " height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n"
                                + "<title>iscsilab bench report</title>\n"
                                + "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
                        SvgChart.WIDTH,
                        y,
                        SvgChart.WIDTH,
                        y)
                + inner
                + "</svg>\n";
    }

    private static String title(BenchResult r) {
        return (r.name() == null ? "" : r.name() + ": ") + r.label();
    }

    private static void summary(StringBuilder h, BenchResult r) {
        List<String> keys = new ArrayList<>(r.total().latencyMicros().percentiles().keySet());
        h.append("<table class=\"summary\">\n<tr><th>direction</th><th>commands</th>")
                .append("<th>IOPS</th><th>MB/s</th><th>mean µs</th><th>stdev µs</th>")
                .append("<th>min µs</th>");
        for (String k : keys) {
            h.append("<th>p").append(k).append(" µs</th>");
        }
        h.append("<th>max µs</th></tr>\n");
        for (String direction : List.of("read", "write", "total")) {
            DirectionStats d =
                    switch (direction) {
                        case "read" -> r.read();
                        case "write" -> r.write();
                        default -> r.total();
                    };
            if (d.ios() == 0 && !direction.equals("total")) {
                continue;
            }
            LatencyStats l = d.latencyMicros();
            h.append(
                    String.format(
                            Locale.ROOT,
                            "<tr><td>%s</td><td>%d</td><td>%.0f</td><td>%.1f</td><td>%.1f</td>"
                                    + "<td>%.1f</td><td>%.1f</td>",
                            direction,
                            d.ios(),
                            d.iops(),
                            d.megabytesPerSecond(),
                            l.mean(),
                            l.stdev(),
                            l.min()));
            for (String k : keys) {
                h.append(String.format(Locale.ROOT, "<td>%.1f</td>", l.percentiles().get(k)));
            }
            h.append(String.format(Locale.ROOT, "<td>%.1f</td></tr>\n", l.max()));
        }
        h.append("</table>\n<p class=\"details\">")
                .append(
                        SvgChart.escape(
                                String.format(
                                        Locale.ROOT,
                                        "measured %.1f s after a %.1f s ramp; errors %d;"
                                                + " verification failures %d; %s",
                                        r.seconds(),
                                        r.rampSeconds(),
                                        r.errors(),
                                        r.verifyFailures(),
                                        cpuText(r.cpu()))))
                .append("</p>\n");
    }

    /** "CPU per command: client 12.3 µs (process), target 20.1 µs (target-pid)". */
    public static String cpuText(CpuUsage c) {
        String s =
                String.format(
                        Locale.ROOT,
                        "CPU per command: client %.1f µs (%s), whole process %.1f µs",
                        c.clientMicrosPerCommand(),
                        c.clientSource(),
                        c.processMicrosPerCommand());
        return s
                + (c.targetMicrosPerCommand() == null
                        ? ", target not measured"
                        : String.format(
                                Locale.ROOT,
                                ", target %.1f µs (%s)",
                                c.targetMicrosPerCommand(),
                                c.targetSource()));
    }

    /** The latency histogram, IOPS per second and latency per second of one job. */
    static List<SvgChart> charts(BenchResult r, int job) {
        return List.of(histogram(r, job), iopsSeries(r, job), latencySeries(r, job));
    }

    private static SvgChart histogram(BenchResult r, int job) {
        List<DirectionStats> dirs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> colors = new ArrayList<>();
        if (r.read().ios() > 0) {
            dirs.add(r.read());
            names.add("read");
            colors.add(READ_COLOR);
        }
        if (r.write().ios() > 0) {
            dirs.add(r.write());
            names.add("write");
            colors.add(WRITE_COLOR);
        }
        int buckets = 0;
        double top = 0;
        for (DirectionStats d : dirs) {
            buckets = Math.max(buckets, d.histogram().size());
            for (DirectionStats.Bucket b : d.histogram()) {
                top = Math.max(top, 100.0 * b.count() / d.ios());
            }
        }
        SvgChart c =
                new SvgChart(
                        "latency-histogram-" + job,
                        "Latency histogram (measured window)",
                        0,
                        Math.max(1, buckets),
                        top);
        List<Double> ticks = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        int every = buckets > 16 ? 2 : 1;
        for (int i = 0; i <= buckets; i += every) {
            ticks.add((double) i);
            labels.add(i == 0 ? "0" : SvgChart.compact(twoDigits(Math.pow(2, i - 1))));
        }
        c.axes("latency, µs (buckets double in width)", "share of commands, %", ticks, labels);
        for (int k = 0; k < dirs.size(); k++) {
            DirectionStats d = dirs.get(k);
            double width = 0.8 / dirs.size();
            for (int i = 0; i < d.histogram().size(); i++) {
                DirectionStats.Bucket b = d.histogram().get(i);
                if (b.count() == 0) {
                    continue;
                }
                double from = i + 0.1 + k * width;
                double pct = 100.0 * b.count() / d.ios();
                c.bar(
                        names.get(k),
                        colors.get(k),
                        from,
                        from + width,
                        pct,
                        String.format(
                                Locale.ROOT,
                                "%s: %d commands (%.2f%%) up to %s µs",
                                names.get(k),
                                b.count(),
                                pct,
                                Percentiles.number(b.upToMicros())));
            }
            c.legend(colors.get(k), names.get(k));
        }
        return c;
    }

    /** v from 1000 up rounded to two significant digits: 1024 to 1000, 4096 to 4100. */
    static double twoDigits(double v) {
        if (v < 1000) {
            return v;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)) - 1);
        return Math.round(v / p) * p;
    }

    /** Seconds since the start of the run at the middle of each interval. */
    private static double[] times(BenchResult r) {
        double[] x = new double[r.series().size()];
        for (int i = 0; i < x.length; i++) {
            LoadGenerator.Progress p = r.series().get(i);
            x[i] = (p.ramp() ? 0 : r.rampSeconds()) + p.seconds() - p.intervalSeconds() / 2;
        }
        return x;
    }

    /** A chart over the run's seconds, y linear up to max or, with minPositive > 0, logarithmic. */
    private static SvgChart timeChart(
            BenchResult r, int job, String id, String title, double minPositive, double max) {
        double[] x = times(r);
        double end = Math.max(r.rampSeconds() + r.seconds(), x.length == 0 ? 1 : x[x.length - 1]);
        SvgChart c =
                minPositive > 0
                        ? SvgChart.logarithmic(id + "-" + job, title, 0, end, minPositive, max)
                        : new SvgChart(id + "-" + job, title, 0, end, max);
        if (r.rampSeconds() > 0) {
            c.span(0, r.rampSeconds(), "ramp");
        }
        double step = SvgChart.niceCeiling(end / 8);
        List<Double> ticks = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (double t = 0; t <= end + 1e-9; t += step) {
            ticks.add(t);
            labels.add(Percentiles.number(Math.round(t * 100) / 100.0));
        }
        return c.axes(
                "seconds since the start (ramp shaded); a point per second, at its middle",
                title,
                ticks,
                labels);
    }

    private static double[] values(BenchResult r, ToDoubleFunction<LoadGenerator.Progress> f) {
        return r.series().stream().mapToDouble(f).toArray();
    }

    private static double max(double[]... series) {
        double m = 0;
        for (double[] s : series) {
            for (double v : s) {
                m = Math.max(m, v);
            }
        }
        return m;
    }

    /** The smallest value above 0, or 0 when there is none. */
    private static double minPositive(double[] series) {
        double m = Double.MAX_VALUE;
        for (double v : series) {
            if (v > 0) {
                m = Math.min(m, v);
            }
        }
        return m == Double.MAX_VALUE ? 0 : m;
    }

    private static SvgChart iopsSeries(BenchResult r, int job) {
        double[] total = values(r, p -> p.total().iops());
        double[] read = values(r, p -> p.read().iops());
        double[] write = values(r, p -> p.write().iops());
        SvgChart c = timeChart(r, job, "iops-series", "IOPS per second", 0, max(total));
        double[] x = times(r);
        c.line("total", TOTAL_COLOR, false, x, total, "total IOPS");
        if (r.mixed()) {
            c.line("read", READ_COLOR, true, x, read, "read IOPS");
            c.line("write", WRITE_COLOR, true, x, write, "write IOPS");
        }
        return c;
    }

    private static SvgChart latencySeries(BenchResult r, int job) {
        double[] p50 = values(r, p -> p.total().p50());
        double[] p99 = values(r, p -> p.total().p99());
        double[] readP99 = values(r, p -> p.read().p99());
        double[] writeP99 = values(r, p -> p.write().p99());
        SvgChart c =
                timeChart(
                        r,
                        job,
                        "latency-series",
                        "latency per second, µs (log scale)",
                        Math.max(1, minPositive(p50)),
                        r.mixed() ? max(p99, readP99, writeP99) : max(p99));
        double[] x = times(r);
        c.line("p50", P50_COLOR, false, x, p50, "p50");
        c.line("p99", P99_COLOR, false, x, p99, "p99");
        if (r.mixed()) {
            c.line("read-p99", READ_COLOR, true, x, readP99, "read p99");
            c.line("write-p99", WRITE_COLOR, true, x, writeP99, "write p99");
        }
        return c;
    }
}
