package org.iscsilab.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One chart as an inline SVG element: a plot area with labelled axes and ticks, into which bars,
 * lines and shaded spans are drawn in data coordinates. No scripts and no external resources.
 */
final class SvgChart {
    static final int WIDTH = 900;
    static final int HEIGHT = 320;
    private static final int LEFT = 80;
    private static final int RIGHT = 150;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    private final StringBuilder body = new StringBuilder();
    private final String id;
    private final String title;
    private final double x0;
    private final double x1;
    private final double y0;
    private final double y1;
    private final boolean log;
    private int legendRows;

    /** A chart of x from x0 to x1 and y from 0 to a rounded-up yMax. */
    SvgChart(String id, String title, double x0, double x1, double yMax) {
        this(id, title, x0, x1, 0, niceCeiling(yMax), false);
    }

    private SvgChart(
            String id, String title, double x0, double x1, double y0, double y1, boolean log) {
        this.id = id;
        this.title = title;
        this.x0 = x0;
        this.x1 = x1 > x0 ? x1 : x0 + 1;
        this.y0 = y0;
        this.y1 = y1;
        this.log = log;
    }

    /**
     * A chart whose y axis is logarithmic, from the power of ten at or below the smallest positive
     * value to the one at or above the largest; values at or below 0 are drawn at the bottom.
     */
    static SvgChart logarithmic(
            String id, String title, double x0, double x1, double yMinPositive, double yMax) {
        double lo = yMinPositive > 0 ? Math.floor(Math.log10(yMinPositive)) : 0;
        double hi = yMax > 0 ? Math.ceil(Math.log10(yMax)) : 1;
        return new SvgChart(
                id, title, x0, x1, Math.pow(10, lo), Math.pow(10, Math.max(hi, lo + 1)), true);
    }

    double px(double x) {
        return LEFT + (x - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT);
    }

    double py(double y) {
        double share =
                log
                        ? (Math.log10(Math.max(y, y0)) - Math.log10(y0))
                                / (Math.log10(y1) - Math.log10(y0))
                        : (y - y0) / (y1 - y0);
        return HEIGHT - BOTTOM - share * (HEIGHT - TOP - BOTTOM);
    }

    /** The values the y axis has ticks at: five steps, or each power of ten when logarithmic. */
    private List<Double> yTicks() {
        List<Double> ticks = new ArrayList<>();
        if (log) {
            for (double v = y0; v <= y1 * 1.0001; v *= 10) {
                ticks.add(v);
            }
        } else {
            for (int i = 0; i <= 5; i++) {
                ticks.add(y0 + i * (y1 - y0) / 5);
            }
        }
        return ticks;
    }

    /** The y axis with ticks at round values, the x axis with the ticks given, and both labels. */
    SvgChart axes(String xLabel, String yLabel, List<Double> xTicks, List<String> xTickLabels) {
        double bottom = py(y0);
        body.append(
                String.format(
                        Locale.ROOT,
                        "<g class=\"axis\" stroke=\"#333\" stroke-width=\"1\">"
                                + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                                + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></g>\n",
                        px(x0),
                        bottom,
                        px(x1),
                        bottom,
                        px(x0),
                        bottom,
                        px(x0),
                        py(y1)));
        for (double v : yTicks()) {
            body.append(
                    String.format(
                            Locale.ROOT,
                            "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
                                    + " stroke=\"#ddd\"/>"
                                    + "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\""
                                    + " text-anchor=\"end\">%s</text>\n",
                            px(x0),
                            py(v),
                            px(x1),
                            py(v),
                            px(x0) - 6,
                            py(v) + 4,
                            compact(v)));
        }
        for (int i = 0; i < xTicks.size(); i++) {
            double x = px(xTicks.get(i));
            body.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>"
                                    + "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\""
                                    + " text-anchor=\"middle\">%s</text>\n",
                            x,
                            bottom,
                            x,
                            bottom + 5,
                            x,
                            bottom + 18,
                            escape(xTickLabels.get(i))));
        }
        body.append(
                String.format(
                        Locale.ROOT,
                        "<text class=\"axis-label\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n"
                                + "<text class=\"axis-label\" transform=\"translate(18 %.1f)"
                                + " rotate(-90)\" text-anchor=\"middle\">%s</text>\n",
                        (px(x0) + px(x1)) / 2,
                        HEIGHT - 15,
                        escape(xLabel),
                        (py(y0) + py(y1)) / 2,
                        escape(yLabel)));
        return this;
    }

    /** A bar from y = 0 to {@code y} spanning x from {@code from} to {@code to}. */
    SvgChart bar(String cls, String color, double from, double to, double y, String tooltip) {
        double top = py(y);
        body.append(
                String.format(
                        Locale.ROOT,
                        "<rect class=\"bar %s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
                                + " fill=\"%s\"><title>%s</title></rect>\n",
                        cls,
                        px(from),
                        top,
                        Math.max(1, px(to) - px(from)),
                        py(y0) - top,
                        color,
                        escape(tooltip)));
        return this;
    }

    /** A line through the points (x[i], y[i]), with a legend entry. */
    SvgChart line(String cls, String color, boolean dashed, double[] x, double[] y, String name) {
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < x.length; i++) {
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(x[i]), py(y[i])));
        }
        body.append(
                String.format(
                        Locale.ROOT,
                        "<polyline class=\"series %s\" fill=\"none\" stroke=\"%s\""
                                + " stroke-width=\"2\"%s points=\"%s\"/>\n",
                        cls,
                        color,
                        dashed ? " stroke-dasharray=\"6 3\"" : "",
                        points.toString().strip()));
        return legend(color, name);
    }

    /** A legend entry at the right of the plot. */
    SvgChart legend(String color, String name) {
        double y = TOP + 10 + 20 * legendRows++;
        double x = WIDTH - RIGHT + 15;
        body.append(
                String.format(
                        Locale.ROOT,
                        "<rect class=\"legend\" x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"10\""
                                + " fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">%s</text>\n",
                        x,
                        y - 9,
                        color,
                        x + 20,
                        y,
                        escape(name)));
        return this;
    }

    /** A shaded span of x, labelled (the ramp). */
    SvgChart span(double from, double to, String label) {
        body.append(
                String.format(
                        Locale.ROOT,
                        "<rect class=\"span\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
                                + " fill=\"#eee\"/><text class=\"span-label\" x=\"%.1f\""
                                + " y=\"%.1f\" text-anchor=\"middle\" fill=\"#777\">%s</text>\n",
                        px(from),
                        py(y1),
                        Math.max(0, px(to) - px(from)),
                        py(y0) - py(y1),
                        (px(from) + px(to)) / 2,
                        py(y1) + 14,
                        escape(label)));
        return this;
    }

    /** The chart as an SVG element placed at (x, y) of an enclosing SVG, or inline in HTML. */
    String svg(double x, double y) {
        return String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"%s\""
                                + " x=\"%.0f\" y=\"%.0f\" width=\"%d\" height=\"%d\""
                                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\""
                                + " font-size=\"12\" role=\"img\">\n<title>%s</title>\n"
                                + "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n"
                                + "<text class=\"chart-title\" x=\"%d\" y=\"22\" font-size=\"15\""
                                + " font-weight=\"bold\">%s</text>\n",
                        id,
                        x,
                        y,
                        WIDTH,
                        HEIGHT,
                        WIDTH,
                        HEIGHT,
                        escape(title),
                        LEFT,
                        escape(title))
                + body
                + "</svg>\n";
    }

    /** The smallest of 1, 2, 2.5, 5 times a power of ten at or above v (1 for 0). */
    static double niceCeiling(double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v * (1 - 1e-12)) {
                return m * p;
            }
        }
        return 10 * p;
    }

    /** 1500 as "1.5k", 2000000 as "2M", 0.5 as "0.5". */
    static String compact(double v) {
        if (Math.abs(v) >= 1e6) {
            return Percentiles.number(round(v / 1e6)) + "M";
        }
        if (Math.abs(v) >= 1e3) {
            return Percentiles.number(round(v / 1e3)) + "k";
        }
        return Percentiles.number(round(v));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    static String escape(String s) {
        return s.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
