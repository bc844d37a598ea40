package org.iscsilab.iscsi.node;

import java.util.ArrayList;
import java.util.List;

/**
 * Which bytes of a transfer arrived, as sorted disjoint [start, end) ranges: in-order data keeps it
 * at one range, so adding is constant time in the common case. A task uses it at error recovery
 * level 1 and above to know what a recovery R2T must ask for (RFC 7143 §11.8).
 */
final class ByteRanges {
    /** Pairs start, end, sorted, disjoint and not touching. */
    private final List<int[]> ranges = new ArrayList<>();

    /** Adds [from, to); returns how many of those bytes were not there yet. */
    int add(int from, int to) {
        if (to <= from) {
            return 0;
        }
        int last = ranges.size() - 1;
        if (last >= 0 && ranges.get(last)[1] == from) {
            ranges.get(last)[1] = to; // the next in-order piece
            return to - from;
        }
        int covered = 0;
        int start = from;
        int end = to;
        List<int[]> kept = new ArrayList<>(ranges.size() + 1);
        boolean placed = false;
        for (int[] r : ranges) {
            if (r[1] < start) {
                kept.add(r);
            } else if (r[0] > end) {
                if (!placed) {
                    kept.add(new int[] {start, end});
                    placed = true;
                }
                kept.add(r);
            } else {
                covered += Math.max(0, Math.min(r[1], to) - Math.max(r[0], from));
                start = Math.min(start, r[0]);
                end = Math.max(end, r[1]);
            }
        }
        if (!placed) {
            kept.add(new int[] {start, end});
        }
        ranges.clear();
        ranges.addAll(kept);
        return (to - from) - covered;
    }

    /** The ranges within [from, to) not yet arrived, in order. */
    List<int[]> missing(int from, int to) {
        List<int[]> out = new ArrayList<>();
        int at = from;
        for (int[] r : ranges) {
            if (r[1] <= at) {
                continue;
            }
            if (r[0] >= to) {
                break;
            }
            if (r[0] > at) {
                out.add(new int[] {at, r[0]});
            }
            at = Math.max(at, r[1]);
        }
        if (at < to) {
            out.add(new int[] {at, to});
        }
        return out;
    }
}
