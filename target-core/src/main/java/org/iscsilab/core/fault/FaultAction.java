package org.iscsilab.core.fault;

import java.time.Duration;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseKey;

/**
 * What a fired rule does. SCSI actions act on one command; connection actions on the matching
 * connections; login actions on login attempts.
 */
public sealed interface FaultAction {
    /** Where the action takes effect. */
    enum Layer { SCSI, CONNECTION, LOGIN }

    Layer layer();

    /** Ends the command with CHECK CONDITION and this sense, without running it. */
    record CheckCondition(SenseKey key, AdditionalSense additional) implements FaultAction {
        public Layer layer() {
            return Layer.SCSI;
        }
    }

    /** Ends the command with a status without sense (BUSY, TASK SET FULL, RESERVATION CONFLICT). */
    record Status(ScsiStatus status) implements FaultAction {
        public Layer layer() {
            return Layer.SCSI;
        }
    }

    /**
     * The command does not complete: for initiator timeouts, ABORT TASK and recovery paths. With a
     * {@code failAfter} it ends after that long with CHECK CONDITION and {@code sense} instead (a
     * target that times out stuck commands itself); with {@code null} it never completes.
     */
    record Hang(Duration failAfter, SenseKey key, AdditionalSense sense) implements FaultAction {
        public static Hang forever() {
            return new Hang(null, null, null);
        }

        public Layer layer() {
            return Layer.SCSI;
        }
    }

    /** Runs the command, then returns at most this many bytes of its data-in (a residual underflow). */
    record ShortTransfer(int bytes) implements FaultAction {
        public Layer layer() {
            return Layer.SCSI;
        }
    }

    /** Runs the command, then flips a bit in every 512 bytes of its data-in, for checksum-verifying clients. */
    record CorruptRead() implements FaultAction {
        public Layer layer() {
            return Layer.SCSI;
        }
    }

    /** Establishes a unit attention for the command's I_T nexus, which this command then reports. */
    record UnitAttention(AdditionalSense additional) implements FaultAction {
        public Layer layer() {
            return Layer.SCSI;
        }
    }

    /** Runs the command after a delay. */
    record Delay(Duration delay) implements FaultAction {
        public Layer layer() {
            return Layer.SCSI;
        }
    }

    /** Stops reading from and answering the connection while keeping it open. */
    record Freeze() implements FaultAction {
        public Layer layer() {
            return Layer.CONNECTION;
        }
    }

    /** Closes the connection: with a FIN, or with a reset (no FIN). */
    record Drop(boolean fin) implements FaultAction {
        public Layer layer() {
            return Layer.CONNECTION;
        }
    }

    /** Stops answering the initiator's NOP-Out pings. */
    record IgnoreNops() implements FaultAction {
        public Layer layer() {
            return Layer.CONNECTION;
        }
    }

    /** Leaves task management requests unanswered (a target whose task manager is stuck). */
    record IgnoreTaskManagement() implements FaultAction {
        public Layer layer() {
            return Layer.CONNECTION;
        }
    }

    /** Sends an Async Message with this AsyncEvent (RFC 7143 §11.9.1): 1 logout request, 2 connection drop, 3 session drop. */
    record AsyncMessage(int event) implements FaultAction {
        public Layer layer() {
            return Layer.CONNECTION;
        }
    }

    /** Refuses logins with this Status-Class and Status-Detail (RFC 7143 §11.13.5). */
    record RefuseLogin(int statusClass, int statusDetail) implements FaultAction {
        public Layer layer() {
            return Layer.LOGIN;
        }
    }

    /** Answers login requests after a delay. */
    record DelayLogin(Duration delay) implements FaultAction {
        public Layer layer() {
            return Layer.LOGIN;
        }
    }
}
