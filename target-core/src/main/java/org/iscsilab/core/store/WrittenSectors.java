package org.iscsilab.core.store;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which 512-byte sectors of an overlay were written since its last reset: one bit each, set with no
 * lock (a write marks its sectors after its bytes are in the scratch layer, so a reader that sees a
 * bit also sees the bytes). Growing and copying are the owner's to serialize.
 */
final class WrittenSectors {
    static final int SECTOR_SHIFT = 9;
    static final int SECTOR = 1 << SECTOR_SHIFT;

    private volatile AtomicLongArray words;

    WrittenSectors(long capacityBytes) {
        this.words = new AtomicLongArray(wordsFor(capacityBytes));
    }

    private WrittenSectors(AtomicLongArray words) {
        this.words = words;
    }

    private static int wordsFor(long bytes) {
        long sectors = (bytes + SECTOR - 1) >>> SECTOR_SHIFT;
        return Math.toIntExact((sectors + 63) >>> 6);
    }

    boolean written(long sector) {
        AtomicLongArray w = words;
        int word = (int) (sector >>> 6);
        return word < w.length() && (w.get(word) & (1L << sector)) != 0;
    }

    /** Marks sectors {@code [from, to)}. */
    void mark(long from, long to) {
        AtomicLongArray w = words;
        for (long s = from; s < to; s++) {
            long bit = 1L << s;
            int word = (int) (s >>> 6);
            long old;
            do {
                old = w.get(word);
            } while ((old & bit) == 0 && !w.compareAndSet(word, old, old | bit));
        }
    }

    /** The first sector at or after {@code from} and before {@code to} whose mark differs. */
    long runEnd(long from, long to) {
        boolean first = written(from);
        long s = from + 1;
        while (s < to && written(s) == first) {
            s++;
        }
        return s;
    }

    /** Keeps the marks of the first {@code capacityBytes} (whole sectors) and room for them. */
    void resize(long capacityBytes) {
        AtomicLongArray old = words;
        AtomicLongArray grown = new AtomicLongArray(wordsFor(capacityBytes));
        long keep = capacityBytes >>> SECTOR_SHIFT; // a partial last sector is dropped
        for (int i = 0; i < grown.length() && i < old.length(); i++) {
            long v = old.get(i);
            long base = (long) i << 6;
            if (base + 64 > keep) {
                int bits = (int) Math.max(0, keep - base);
                v &= bits == 0 ? 0 : -1L >>> (64 - bits);
            }
            grown.set(i, v);
        }
        words = grown;
    }

    WrittenSectors copy() {
        AtomicLongArray w = words;
        AtomicLongArray c = new AtomicLongArray(w.length());
        for (int i = 0; i < w.length(); i++) {
            c.set(i, w.get(i));
        }
        return new WrittenSectors(c);
    }

    long count() {
        AtomicLongArray w = words;
        long n = 0;
        for (int i = 0; i < w.length(); i++) {
            n += Long.bitCount(w.get(i));
        }
        return n;
    }
}
