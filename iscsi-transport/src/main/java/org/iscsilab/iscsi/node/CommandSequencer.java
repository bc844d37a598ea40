package org.iscsilab.iscsi.node;

import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import org.iscsilab.iscsi.pdu.SerialNumbers;

/**
 * Delivers non-immediate commands to execution in CmdSN order (RFC 7143 §4.2.2.1): a command at
 * ExpCmdSN runs at once and releases any held successors; one ahead of ExpCmdSN but inside the
 * window waits for the gap to fill; one outside [ExpCmdSN, MaxCmdSN] is ignored.
 */
public final class CommandSequencer {
    /** Outcome of offering a command. */
    public enum Admission {
        DELIVERED,
        HELD,
        OUT_OF_WINDOW,
        DUPLICATE
    }

    private final int window;

    /**
     * Changed on the session's event loop only; volatile so that a login on another connection's
     * loop can report the session's window (RFC 7143 §4.2.2.1: one window for all connections).
     */
    private volatile int expCmdSn;

    /** Commands waiting for a gap to fill, by CmdSN (a primitive map: no boxing per command). */
    private final IntObjectMap<Runnable> held = new IntObjectHashMap<>();

    public CommandSequencer(int initialCmdSn, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("command window must be at least 1");
        }
        this.expCmdSn = initialCmdSn;
        this.window = window;
    }

    public int expCmdSn() {
        return expCmdSn;
    }

    /** MaxCmdSN: the window stays {@code window} commands wide past ExpCmdSN. */
    public int maxCmdSn() {
        return expCmdSn + window - 1;
    }

    public Admission offer(int cmdSn, Runnable command) {
        if (!SerialNumbers.inWindow(cmdSn, expCmdSn, maxCmdSn())) {
            return Admission.OUT_OF_WINDOW;
        }
        if (cmdSn != expCmdSn) {
            if (held.containsKey(cmdSn)) {
                return Admission.DUPLICATE;
            }
            held.put(cmdSn, command);
            return Admission.HELD;
        }
        // ExpCmdSN moves first: the command's own responses already acknowledge it
        expCmdSn++;
        command.run();
        drain();
        return Admission.DELIVERED;
    }

    /**
     * Counts a CmdSN as received without running anything (RFC 7143 §11.5.1 b: an ABORT TASK for a
     * command that never arrived). Returns false when the CmdSN is outside the window.
     */
    public boolean consume(int cmdSn) {
        if (!SerialNumbers.inWindow(cmdSn, expCmdSn, maxCmdSn())) {
            return false;
        }
        if (cmdSn == expCmdSn) {
            expCmdSn++;
            drain();
        } else {
            held.put(cmdSn, () -> {});
        }
        return true;
    }

    private void drain() {
        Runnable next;
        while (!held.isEmpty() && (next = held.remove(expCmdSn)) != null) {
            expCmdSn++;
            next.run();
        }
    }

    /**
     * Starts the window afresh at {@code cmdSn}, forgetting held commands: when every task of the
     * session was terminated with the connection that carried them, no command is left to order
     * against, and an initiator below ErrorRecoveryLevel 2 cannot resend the ones that were lost.
     */
    public void restartAt(int cmdSn) {
        held.clear();
        expCmdSn = cmdSn;
    }

    public int heldCount() {
        return held.size();
    }
}
