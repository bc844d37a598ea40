package org.iscsilab.host.mid;

import org.iscsilab.host.module.KernelModule;

/**
 * What the mid-layer calls in a low-level driver (struct scsi_host_template): each call runs
 * the LLD module's code, so implementations mark it with {@code module().enter(...)}.
 */
public interface LowLevelDriver {
    /** The module the driver's code lives in. */
    KernelModule module();

    /** queuecommand: take the request; complete it later through {@code request.result()}. */
    void queueCommand(ScsiDevice device, Request request);

    /** slave_destroy: the device is going away. */
    void slaveDestroy(ScsiDevice device);
}
