package org.iscsilab.core.lu;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which logical blocks of a thin-provisioned unit are mapped (SBC-4 §4.7): one bit per block, held
 * in pages that exist only where some block is mapped, so a huge sparse unit costs little.
 */
public final class ProvisioningMap {
    private static final int PAGE_BITS = 1 << 19; // blocks per page (64 KiB of bits)
    private final ConcurrentHashMap<Long, long[]> pages = new ConcurrentHashMap<>();

    public void map(long lba, long count) {
        set(lba, count, true);
    }

    public void unmap(long lba, long count) {
        set(lba, count, false);
    }

    private void set(long lba, long count, boolean mapped) {
        long end = lba + count;
        for (long b = lba; b < end; ) {
            long pageIndex = b / PAGE_BITS;
            int from = (int) (b % PAGE_BITS);
            int to = (int) Math.min(PAGE_BITS, from + (end - b));
            long[] page =
                    mapped
                            ? pages.computeIfAbsent(pageIndex, i -> new long[PAGE_BITS / 64])
                            : pages.get(pageIndex);
            if (page != null) {
                synchronized (page) {
                    for (int i = from; i < to; i++) {
                        if (mapped) {
                            page[i >>> 6] |= 1L << (i & 63);
                        } else {
                            page[i >>> 6] &= ~(1L << (i & 63));
                        }
                    }
                }
            }
            b += to - from;
        }
    }

    /** A copy of the map, for a snapshot of the medium. */
    public Map<Long, long[]> copy() {
        Map<Long, long[]> out = new HashMap<>();
        pages.forEach(
                (index, page) -> {
                    synchronized (page) {
                        out.put(index, page.clone());
                    }
                });
        return out;
    }

    /** Replaces the map by a copy taken earlier. */
    public void replace(Map<Long, long[]> copy) {
        pages.clear();
        copy.forEach((index, page) -> pages.put(index, page.clone()));
    }

    public boolean mapped(long lba) {
        long[] page = pages.get(lba / PAGE_BITS);
        if (page == null) {
            return false;
        }
        int i = (int) (lba % PAGE_BITS);
        synchronized (page) {
            return (page[i >>> 6] & (1L << (i & 63))) != 0;
        }
    }

    /**
     * How many blocks from {@code lba} (at most {@code limit}) share {@code lba}'s mapping state.
     */
    public long runLength(long lba, long limit) {
        boolean state = mapped(lba);
        long n = 1;
        while (n < limit && mapped(lba + n) == state) {
            n++;
        }
        return n;
    }
}
