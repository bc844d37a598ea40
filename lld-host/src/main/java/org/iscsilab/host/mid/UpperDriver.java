package org.iscsilab.host.mid;

/** An upper-level driver bound to a device (sd): its remove hook runs inside device removal. */
public interface UpperDriver {
    /** sd_remove / sd_shutdown: may issue commands (SYNCHRONIZE CACHE) and wait for them. */
    void remove(ScsiDevice device) throws InterruptedException;
}
