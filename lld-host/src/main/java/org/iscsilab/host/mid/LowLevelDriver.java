package org.iscsilab.host.mid;

import org.iscsilab.host.module.KernelModule;

/**
 * What the mid-layer calls in a low-level driver (struct scsi_host_template): each call runs the
 * LLD module's code, so implementations mark it with {@code module().enter(...)}.
 */
public interface LowLevelDriver {
    /** The module the driver's code lives in. */
    KernelModule module();

    /** queuecommand: take the request; complete it later through {@code request.result()}. */
    void queueCommand(ScsiDevice device, Request request);

    /** slave_destroy: the device is going away. */
    void slaveDestroy(ScsiDevice device);

    /** eh_abort_handler: abort one timed-out request; true when the target confirmed it is gone. */
    boolean abort(ScsiDevice device, Request request) throws InterruptedException;

    /** eh_device_reset_handler: LOGICAL UNIT RESET; true on success. */
    boolean deviceReset(ScsiDevice device) throws InterruptedException;

    /** eh_target_reset_handler: TARGET WARM RESET; true on success. */
    boolean targetReset(ScsiTarget target) throws InterruptedException;

    /**
     * eh_host_reset_handler: for iSCSI a session reset (drop the connection); true when started.
     */
    boolean hostReset(ScsiHost host) throws InterruptedException;
}
