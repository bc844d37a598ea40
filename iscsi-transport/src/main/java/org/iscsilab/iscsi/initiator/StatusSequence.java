package org.iscsilab.iscsi.initiator;

import java.util.HashSet;
import java.util.Set;
import org.iscsilab.iscsi.pdu.SerialNumbers;

/**
 * The StatSNs one connection received and what its ExpStatSN acknowledges (RFC 7143 §4.2.2.2). At
 * ErrorRecoveryLevel 0 ExpStatSN follows the last StatSN seen. From level 1 it moves only over
 * StatSNs that all arrived, so a lost response stays unacknowledged for a Status SNACK (§11.16.1);
 * it also stops before a response held back, whose command still misses Data-In (§11.7.2: the
 * status is not acknowledged while data has holes). Event loop only.
 */
final class StatusSequence {
    private final boolean recovering;
    private int expStatSn;

    /** Received above ExpStatSN (a gap below them), and held back from acknowledgement. */
    private final Set<Integer> ahead = new HashSet<>();

    private final Set<Integer> held = new HashSet<>();

    /** StatSNs below this were asked for with a Status SNACK already. */
    private int askedUpTo;

    StatusSequence(boolean recovering) {
        this.recovering = recovering;
    }

    /** The first Login Response's StatSN: the connection's numbering starts after it. */
    void start(int statSn) {
        expStatSn = statSn + 1;
        askedUpTo = expStatSn;
    }

    int expStatSn() {
        return expStatSn;
    }

    /**
     * A response with {@code statSn} arrived. Returns how many StatSNs before it are missing and
     * not yet asked for (0 when none): the caller asks for them from {@link #missingFrom}.
     */
    int received(int statSn) {
        if (!recovering) {
            expStatSn = statSn + 1;
            return 0;
        }
        if (SerialNumbers.lessThan(statSn, expStatSn)) {
            return 0; // a response sent again
        }
        ahead.add(statSn);
        advance();
        if (!SerialNumbers.lessThan(expStatSn, statSn)) {
            return 0; // nothing missing below it
        }
        int from = SerialNumbers.lessThan(askedUpTo, expStatSn) ? expStatSn : askedUpTo;
        while (from != statSn && ahead.contains(from)) {
            from++;
        }
        if (from == statSn) {
            return 0;
        }
        missingFrom = from;
        askedUpTo = statSn;
        return statSn - from;
    }

    /** Where the missing run {@link #received} reported starts. */
    int missingFrom;

    /** Keeps {@code statSn} unacknowledged until {@link #release}. */
    void hold(int statSn) {
        if (recovering) {
            held.add(statSn);
        }
    }

    void release(int statSn) {
        if (held.remove(statSn)) {
            advance();
        }
    }

    private void advance() {
        while (ahead.contains(expStatSn) && !held.contains(expStatSn)) {
            ahead.remove(expStatSn);
            expStatSn++;
        }
    }
}
