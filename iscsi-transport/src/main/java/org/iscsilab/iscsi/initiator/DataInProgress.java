package org.iscsilab.iscsi.initiator;

import java.util.BitSet;

/**
 * Which Data-In PDUs of one command arrived, by DataSN (RFC 7143 §11.7.5), at ErrorRecoveryLevel 1
 * and above: the first DataSN not yet received, which a DataACK names and below which a status may
 * be acknowledged (§11.7.2), and the gaps still to ask for with a Data SNACK (§11.16.1).
 */
final class DataInProgress {
    private final BitSet arrived = new BitSet();
    private int contiguous;

    /** DataSNs below this were asked for already. */
    private int askedUpTo;

    /** Records {@code dataSn}; false when it arrived before (a Data-In sent again). */
    boolean arrive(int dataSn) {
        if (arrived.get(dataSn)) {
            return false;
        }
        arrived.set(dataSn);
        contiguous = arrived.nextClearBit(contiguous);
        return true;
    }

    /** The first DataSN not received: everything below it arrived. */
    int contiguous() {
        return contiguous;
    }

    /** Whether a Data-In below {@code count} is missing. */
    boolean missingBelow(int count) {
        return contiguous < count;
    }

    /**
     * The run of missing DataSNs below {@code below} not asked for yet, as {BegRun, RunLength}, or
     * null; asking for it is then the caller's.
     */
    int[] toAskBelow(int below) {
        int from = Math.max(contiguous, askedUpTo);
        while (from < below && arrived.get(from)) {
            from++;
        }
        if (from >= below) {
            return null;
        }
        askedUpTo = below;
        return new int[] {from, below - from};
    }

    /** Forgets what was asked, so a quiet command asks again. */
    void askAgain() {
        askedUpTo = 0;
    }
}
