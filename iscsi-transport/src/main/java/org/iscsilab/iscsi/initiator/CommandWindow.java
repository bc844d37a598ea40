package org.iscsilab.iscsi.initiator;

import java.util.ArrayDeque;
import java.util.function.IntConsumer;
import org.iscsilab.iscsi.pdu.SerialNumbers;

/**
 * The initiator's side of the command window (RFC 7143 §4.2.2.1): numbers non-immediate requests
 * with CmdSN, sends them while CmdSN is within MaxCmdSN and queues the rest, and follows ExpCmdSN
 * and MaxCmdSN as the target's PDUs move them. Event loop only.
 */
final class CommandWindow {
    private int cmdSn = 1;
    private int expCmdSn = 1;
    private int maxCmdSn = 1;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

    /** The CmdSN the next request gets; immediate requests carry it without taking it. */
    int cmdSn() {
        return cmdSn;
    }

    /** The target's ExpCmdSN as last seen: every CmdSN below it reached the target. */
    int expCmdSn() {
        return expCmdSn;
    }

    /** Sends {@code send} with its CmdSN at once when the window allows, else when it opens. */
    void enqueue(IntConsumer send) {
        queue.add(() -> send.accept(cmdSn++));
        drain();
    }

    /**
     * ExpCmdSN and MaxCmdSN from a target PDU: only forward, and MaxCmdSN &lt; ExpCmdSN - 1 is
     * ignored.
     */
    void update(int newExpCmdSn, int newMaxCmdSn) {
        if (SerialNumbers.lessThan(newMaxCmdSn, newExpCmdSn - 1)) {
            return;
        }
        if (SerialNumbers.lessThan(expCmdSn, newExpCmdSn)) {
            expCmdSn = newExpCmdSn;
        }
        if (SerialNumbers.lessThan(maxCmdSn, newMaxCmdSn)) {
            maxCmdSn = newMaxCmdSn;
        }
        drain();
    }

    private void drain() {
        while (!queue.isEmpty() && SerialNumbers.lessOrEqual(cmdSn, maxCmdSn)) {
            queue.poll().run();
        }
    }
}
