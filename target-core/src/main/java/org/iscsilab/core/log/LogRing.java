package org.iscsilab.core.log;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The last {@link #CAPACITY} lines the target logged at INFO and above (and below, when the logging
 * backend has those levels on), numbered in the order they were written, in this JVM. A reader
 * takes a {@link #mark} and later asks for the lines {@link #since} it; lines older than the ring's
 * capacity are gone, and {@link #since} says how many.
 */
public final class LogRing {
    /** Lines kept: enough for the story of one failing test, little memory (about 1 MiB). */
    public static final int CAPACITY = 4096;

    private static final LogRing INSTANCE = new LogRing(CAPACITY);

    private final String[] lines;
    private long written;

    LogRing(int capacity) {
        this.lines = new String[capacity];
    }

    /** The ring every logger of the target writes into. */
    public static LogRing instance() {
        return INSTANCE;
    }

    /** The number of the next line: lines written after this call have numbers at or above it. */
    public synchronized long mark() {
        return written;
    }

    synchronized void add(Instant at, String level, String logger, String text) {
        lines[(int) (written % lines.length)] = at + " " + level + " " + logger + " - " + text;
        written++;
    }

    /**
     * The lines written since a mark, oldest first; when the ring has wrapped past the mark, a
     * first line says how many were lost.
     *
     * @param mark a value {@link #mark} returned
     * @return the lines, each a timestamp, level, logger and message
     */
    public synchronized List<String> since(long mark) {
        long first = Math.max(mark, written - lines.length);
        List<String> out = new ArrayList<>((int) Math.max(0, written - first) + 1);
        if (first > mark) {
            out.add("(" + (first - mark) + " earlier lines are no longer kept)");
        }
        for (long n = first; n < written; n++) {
            out.add(lines[(int) (n % lines.length)]);
        }
        return out;
    }
}
