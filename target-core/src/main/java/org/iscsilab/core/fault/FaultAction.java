package org.iscsilab.core.fault;

/**
 * What a fired rule does. One rule language covers every layer, and each layer owns its actions:
 * the SCSI actions, which act on one command, are {@link ScsiFaultAction} here in the core; the
 * transport defines those that act on connections and on login attempts.
 */
public interface FaultAction {
    /** Where the action takes effect. */
    enum Layer {
        SCSI,
        CONNECTION,
        LOGIN
    }

    Layer layer();
}
