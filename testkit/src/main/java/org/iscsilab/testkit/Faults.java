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

    /**
     * CHECK CONDITION, MEDIUM ERROR, UNRECOVERED READ ERROR (11/00).
     *
     * @return a rule that ends each command it matches with that sense, as a disk with a bad sector
     *     does; narrow it with {@link Fault#lbas} and {@link Fault#reads}
     */
    public static Fault mediumError() {
        return new Fault("medium-error", Map.of());
    }

    /**
     * CHECK CONDITION with this sense key and additional sense code.
     *
     * @param key the sense key, e.g. {@link SenseKey#NOT_READY}
     * @param asc the additional sense code (ASC), e.g. 0x04 LOGICAL UNIT NOT READY
     * @param ascq the additional sense code qualifier (ASCQ), e.g. 0x01 becoming ready
     * @return a rule that ends each command it matches with CHECK CONDITION and sense data of this
     *     key and ASC/ASCQ
     */
    public static Fault checkCondition(SenseKey key, int asc, int ascq) {
        return new Fault(
                "check-condition",
                Map.of("sense", String.format("%s/%02X/%02X", key.name(), asc, ascq)));
    }

    /**
     * A UNIT ATTENTION with this additional sense code, e.g. 0x2A, 0x09.
     *
     * @param asc the additional sense code (ASC), e.g. 0x2A PARAMETERS CHANGED
     * @param ascq the additional sense code qualifier (ASCQ), e.g. 0x09 CAPACITY DATA HAS CHANGED
     * @return a rule that establishes this unit attention on the I_T nexus of each command it
     *     matches, which that command then reports as CHECK CONDITION, UNIT ATTENTION
     */
    public static Fault unitAttention(int asc, int ascq) {
        return new Fault("unit-attention", Map.of("sense", String.format("%02X/%02X", asc, ascq)));
    }

    /**
     * Status BUSY.
     *
     * @return a rule that ends each command it matches with status BUSY (0x08) and no sense data;
     *     an initiator retries it
     */
    public static Fault busy() {
        return new Fault("busy", Map.of());
    }

    /**
     * Status TASK SET FULL.
     *
     * @return a rule that ends each command it matches with status TASK SET FULL (0x28), as a
     *     target whose command queue is full does
     */
    public static Fault taskSetFull() {
        return new Fault("task-set-full", Map.of());
    }

    /**
     * Status RESERVATION CONFLICT.
     *
     * @return a rule that ends each command it matches with status RESERVATION CONFLICT (0x18), as
     *     if another I_T nexus held a persistent reservation
     */
    public static Fault reservationConflict() {
        return new Fault("reservation-conflict", Map.of());
    }

    /**
     * The command never completes (until the rule is removed).
     *
     * @return a rule under which each command it matches gets no SCSI Response, so the initiator's
     *     command timeout and task management (ABORT TASK, LUN RESET) are what a test sees
     */
    public static Fault hang() {
        return new Fault("hang", Map.of());
    }

    /**
     * The command hangs this long, then ends with HARDWARE ERROR, INTERNAL TARGET FAILURE.
     *
     * @param timeout how long each matched command goes unanswered before its CHECK CONDITION (sent
     *     in whole milliseconds)
     * @return a rule that holds each command it matches for {@code timeout}, then ends it with
     *     CHECK CONDITION, HARDWARE ERROR, INTERNAL TARGET FAILURE (04/44/00)
     */
    public static Fault hang(Duration timeout) {
        return new Fault("hang", Map.of("timeout", timeout.toMillis() + "ms"));
    }

    /**
     * The command completes this much later.
     *
     * @param d the extra latency added to each matched command before its SCSI Response (sent in
     *     whole milliseconds)
     * @return a rule that delays each command it matches, which otherwise completes as usual
     */
    public static Fault delay(Duration d) {
        return new Fault("delay=" + d.toMillis() + "ms", Map.of());
    }

    /**
     * Data-in with a bit flipped per 512 bytes.
     *
     * @return a rule that corrupts the data-in of each command it matches while the status stays
     *     GOOD, as silent corruption on the way would, for checksum-verifying clients
     */
    public static Fault corrupt() {
        return new Fault("corrupt", Map.of());
    }

    /**
     * The target stops reading and answering its connections, which stay open.
     *
     * @return a rule that freezes the iSCSI connections in its scope (new logins wait unanswered
     *     too) until it is removed, when they all resume: a target that stops answering without a
     *     TCP error
     */
    public static Fault freeze() {
        return new Fault("freeze", Map.of());
    }

    /**
     * The target closes the connection (with FIN).
     *
     * @return a rule that closes each connection it matches with a TCP FIN, so what a test sees is
     *     the initiator's connection recovery
     */
    public static Fault drop() {
        return new Fault("drop", Map.of());
    }

    /**
     * The target resets the connection (RST).
     *
     * @return a rule that aborts each connection it matches with a TCP RST instead of a FIN
     */
    public static Fault reset() {
        return new Fault("drop", Map.of("fin", "false"));
    }

    /**
     * The target does not answer task management requests.
     *
     * @return a rule under which task management requests (ABORT TASK, LOGICAL UNIT RESET, ...) get
     *     no Task Management Function Response, so the initiator escalates its error handling
     */
    public static Fault ignoreTaskManagement() {
        return new Fault("ignore-tmf", Map.of());
    }

    /**
     * Logins are refused with this status class and detail (RFC 7143 §11.13.5).
     *
     * @param statusClass the Login Response's Status-Class, e.g. 0x02 initiator error or 0x03
     *     target error
     * @param statusDetail the Status-Detail within that class, e.g. 0x01 authentication failure
     *     with class 0x02
     * @return a rule that answers each Login Request it matches with a Login Response carrying this
     *     status, ending the login
     */
    public static Fault refuseLogin(int statusClass, int statusDetail) {
        return new Fault(
                "refuse-login",
                Map.of("status", String.format("%02x/%02x", statusClass, statusDetail)));
    }
}
