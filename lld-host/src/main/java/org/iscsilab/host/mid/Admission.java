package org.iscsilab.host.mid;

/**
 * What the device's state says about a request the queue is about to dispatch (K411
 * scsi_prep_state_check, K613 scsi_device_state_check). It is asked only when the queue runs: a
 * stopped queue never reaches it.
 */
public enum Admission {
    /** Hand it to the LLD. */
    ALLOW,
    /** Leave it on the queue (requeue); it is tried again when the queue runs again. */
    DEFER,
    /** Complete it with DID_NO_CONNECT without reaching the LLD. */
    KILL;

    /** The decision for a state; {@code current} selects the 6.x rules, otherwise those of 4.11. */
    public static Admission of(DeviceState state, boolean preempt, boolean current) {
        return switch (state) {
            case RUNNING -> ALLOW;
            case CREATED -> current || preempt ? ALLOW : KILL;
            case CANCEL -> preempt ? ALLOW : KILL;
            case QUIESCE -> preempt ? ALLOW : DEFER;
            case DEL, OFFLINE, TRANSPORT_OFFLINE -> KILL;
            // James's CANCEL_BLOCK is blocked: what reaches its queue waits for the unblock, as on
            // any blocked device (reconstructed: the thread does not show his prep check)
            case BLOCK, CREATED_BLOCK, CANCEL_BLOCK -> DEFER;
        };
    }
}
