package org.iscsilab.guest;

import java.util.List;

/**
 * A line "@@ KIND ARG..." the guest printed: {@code hostMillis} is when the host read it, counted
 * from the start of the run.
 */
public record GuestMarker(long hostMillis, String kind, List<String> args) {
    static GuestMarker parse(long hostMillis, String text) {
        List<String> words = List.of(text.trim().split("\\s+"));
        return new GuestMarker(hostMillis, words.get(0), words.subList(1, words.size()));
    }

    /** The argument at {@code i}, or "" when there is none. */
    public String arg(int i) {
        return i < args.size() ? args.get(i) : "";
    }

    /** The value of a "key=value" argument, or null. */
    public String value(String key) {
        for (String a : args) {
            if (a.startsWith(key + "=")) {
                return a.substring(key.length() + 1);
            }
        }
        return null;
    }

    /**
     * The number a "key=N" argument starts with, or {@code otherwise} when there is none. Only the
     * leading digits count: a line the console mixed with other output ("ms=5550go") still gives
     * its number.
     */
    public long number(String key, long otherwise) {
        String v = value(key);
        if (v == null) {
            return otherwise;
        }
        int end = v.startsWith("-") ? 1 : 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        try {
            return Long.parseLong(v.substring(0, end));
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    @Override
    public String toString() {
        return kind + (args.isEmpty() ? "" : " " + String.join(" ", args));
    }
}
