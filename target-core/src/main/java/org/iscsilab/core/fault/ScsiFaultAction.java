package org.iscsilab.core.fault;

import java.time.Duration;
import org.iscsilab.core.alua.AccessState;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseKey;

/** The fault actions on one SCSI command, carried out by the core ({@link ScsiFaults}). */
public sealed interface ScsiFaultAction extends FaultAction {
    @Override
    default Layer layer() {
        return Layer.SCSI;
    }

    /** Ends the command with CHECK CONDITION and this sense, without running it. */
    record CheckCondition(SenseKey key, AdditionalSense additional) implements ScsiFaultAction {}

    /** Ends the command with a status without sense (BUSY, TASK SET FULL, RESERVATION CONFLICT). */
    record Status(ScsiStatus status) implements ScsiFaultAction {}

    /**
     * The command does not complete: for initiator timeouts, ABORT TASK and recovery paths. With a
     * {@code failAfter} it ends after that long with CHECK CONDITION and {@code sense} instead (a
     * target that times out stuck commands itself); with {@code null} it never completes.
     */
    record Hang(Duration failAfter, SenseKey key, AdditionalSense sense)
            implements ScsiFaultAction {
        public static Hang forever() {
            return new Hang(null, null, null);
        }
    }

    /**
     * Runs the command, then returns at most this many bytes of its data-in (a residual underflow).
     */
    record ShortTransfer(int bytes) implements ScsiFaultAction {}

    /**
     * Runs the command, then flips a bit in every 512 bytes of its data-in, for checksum-verifying
     * clients.
     */
    record CorruptRead() implements ScsiFaultAction {}

    /**
     * Establishes a unit attention for the command's I_T nexus, which this command then reports.
     */
    record UnitAttention(AdditionalSense additional) implements ScsiFaultAction {}

    /** Runs the command after a delay. */
    record Delay(Duration delay) implements ScsiFaultAction {}

    /**
     * Changes a target port group's asymmetric access state (at once, or after {@code transition}
     * spent transitioning, failing back when {@code fails}), then runs the command, which meets the
     * new state (SPC-5 §5.16): "path A goes unavailable after 1,000 writes".
     */
    record AccessStateChange(int group, AccessState state, Duration transition, boolean fails)
            implements ScsiFaultAction {}
}
