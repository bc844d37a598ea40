package org.iscsilab.testkit;

import java.time.Duration;
import java.util.Map;
import org.iscsilab.scsi.SenseKey;

/**
 * The fault actions, one builder each; narrow them with {@link Fault}'s scope and trigger:
 *
 * <pre>{@code
 * target.add(Faults.mediumError().lun(0).lbas(100, 199).reads());
 * target.add(Faults.freeze().initiator(iqn).forDuration(Duration.ofSeconds(5)));
 * }</pre>
 */
public final class Faults {
    private Faults() {}

    /** CHECK CONDITION, MEDIUM ERROR, UNRECOVERED READ ERROR (11/00). */
    public static Fault mediumError() {
        return new Fault("medium-error", Map.of());
    }

    /** CHECK CONDITION with this sense key and additional sense code. */
    public static Fault checkCondition(SenseKey key, int asc, int ascq) {
        return new Fault(
                "check-condition",
                Map.of("sense", String.format("%s/%02X/%02X", key.name(), asc, ascq)));
    }

    /** A UNIT ATTENTION with this additional sense code, e.g. 0x2A, 0x09. */
    public static Fault unitAttention(int asc, int ascq) {
        return new Fault("unit-attention", Map.of("sense", String.format("%02X/%02X", asc, ascq)));
    }

    /** Status BUSY. */
    public static Fault busy() {
        return new Fault("busy", Map.of());
    }

    /** Status TASK SET FULL. */
    public static Fault taskSetFull() {
        return new Fault("task-set-full", Map.of());
    }

    /** Status RESERVATION CONFLICT. */
    public static Fault reservationConflict() {
        return new Fault("reservation-conflict", Map.of());
    }

    /** The command never completes (until the rule is removed). */
    public static Fault hang() {
        return new Fault("hang", Map.of());
    }

    /** The command hangs this long, then ends with HARDWARE ERROR, INTERNAL TARGET FAILURE. */
    public static Fault hang(Duration timeout) {
        return new Fault("hang", Map.of("timeout", timeout.toMillis() + "ms"));
    }

    /** The command completes this much later. */
    public static Fault delay(Duration d) {
        return new Fault("delay=" + d.toMillis() + "ms", Map.of());
    }

    /** Data-in with a bit flipped per 512 bytes. */
    public static Fault corrupt() {
        return new Fault("corrupt", Map.of());
    }

    /** The target stops reading and answering its connections, which stay open. */
    public static Fault freeze() {
        return new Fault("freeze", Map.of());
    }

    /** The target closes the connection (with FIN). */
    public static Fault drop() {
        return new Fault("drop", Map.of());
    }

    /** The target resets the connection (RST). */
    public static Fault reset() {
        return new Fault("drop", Map.of("fin", "false"));
    }

    /** The target does not answer task management requests. */
    public static Fault ignoreTaskManagement() {
        return new Fault("ignore-tmf", Map.of());
    }

    /** Logins are refused with this status class and detail (RFC 7143 §11.13.5). */
    public static Fault refuseLogin(int statusClass, int statusDetail) {
        return new Fault(
                "refuse-login",
                Map.of("status", String.format("%02x/%02x", statusClass, statusDetail)));
    }
}
