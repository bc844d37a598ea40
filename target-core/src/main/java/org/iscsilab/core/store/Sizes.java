package org.iscsilab.core.store;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints byte sizes with binary suffixes: 512, 64K, 1G, 1T (K = 1024). */
public final class Sizes {
    private static final Pattern SIZE =
            Pattern.compile("(\\d+)\\s*([KMGTP]?)(I?B)?", Pattern.CASE_INSENSITIVE);

    private Sizes() {}

    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a size; write e.g. 512M, 1G or 4096");
        }
        long n = Long.parseLong(m.group(1));
        int shift =
                switch (m.group(2).toUpperCase(Locale.ROOT)) {
                    case "K" -> 10;
                    case "M" -> 20;
                    case "G" -> 30;
                    case "T" -> 40;
                    case "P" -> 50;
                    default -> 0;
                };
        if (shift > 0 && Long.numberOfLeadingZeros(n) <= shift) {
            throw new IllegalArgumentException("size '" + text + "' is too large");
        }
        return n << shift;
    }

    public static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        int u = 0;
        long v = bytes;
        while (u < units.length - 1 && v >= 1024 && v % 1024 == 0) {
            v /= 1024;
            u++;
        }
        return v + " " + units[u];
    }
}
