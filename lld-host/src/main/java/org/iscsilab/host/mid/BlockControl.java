package org.iscsilab.host.mid;

import java.util.ArrayList;
import java.util.List;

/**
 * Block and unblock (docs/linux-midlayer.md §4): what the transport calls when a session fails and
 * recovers. The 4.11 model writes states without a lock; v4.13 and later change state and stop the
 * queue under the device's state mutex. Target unblock picks its devices as the policy says: with
 * scsi_device_get (skipping CANCEL, DEL and every device of a GOING module) or, with {@code bart},
 * without it.
 */
public final class BlockControl {
    private BlockControl() {}

    /** scsi_internal_device_block: BLOCK (or CREATED_BLOCK from CREATED), then stop the queue. */
    public static boolean blockDevice(ScsiDevice d) {
        boolean mutex = d.host().usesStateMutex();
        if (mutex) {
            d.host().lockStateMutex(d);
        }
        try {
            if (!d.setState(DeviceState.BLOCK)
                    && !d.setState(DeviceState.CREATED_BLOCK)
                    && !(d.host().policy().hasCancelBlock()
                            && d.setState(DeviceState.CANCEL_BLOCK))) {
                return false; // 4.11: a device being removed (CANCEL) cannot be blocked
            }
            d.host().yieldAt("block " + d.hctl() + ": state set, queue not yet stopped");
            d.queue().stop();
            d.host().trace().record("queue stopped", "device", d.hctl());
            return true;
        } finally {
            if (mutex) {
                d.stateMutex().unlock();
            }
        }
    }

    /**
     * scsi_internal_device_unblock: writes the state directly (no table check): BLOCK and
     * TRANSPORT_OFFLINE become {@code newState}; CREATED_BLOCK becomes CREATED or the offline state
     * asked for; CANCEL and OFFLINE stay but get their queue restarted; CANCEL_BLOCK becomes CANCEL
     * (James). Anything else is -EINVAL. Then the queue is started.
     */
    public static boolean unblockDevice(ScsiDevice d, DeviceState newState) {
        Policy policy = d.host().policy();
        if (policy.strictUnblockTarget()
                && newState != DeviceState.RUNNING
                && newState != DeviceState.TRANSPORT_OFFLINE) {
            return false; // -EINVAL since Bart's 2019 change
        }
        boolean mutex = d.host().usesStateMutex();
        if (mutex) {
            d.host().lockStateMutex(d);
        }
        try {
            DeviceState seen = d.state();
            d.host().yieldAt("unblock " + d.hctl() + ": state read, not yet written");
            switch (seen) {
                case BLOCK, TRANSPORT_OFFLINE -> d.writeStateDirectly(newState);
                case CREATED_BLOCK ->
                        d.writeStateDirectly(
                                newState == DeviceState.OFFLINE
                                                || newState == DeviceState.TRANSPORT_OFFLINE
                                        ? newState
                                        : DeviceState.CREATED);
                case CANCEL, OFFLINE -> {
                    // state unchanged, queue restarted
                }
                case CANCEL_BLOCK -> d.writeStateDirectly(DeviceState.CANCEL);
                default -> {
                    return false;
                }
            }
            if (mutex) {
                // v4.13 and later: scsi_internal_device_unblock holds state_mutex around the
                // _nowait variant, which restarts the queue (scsi_start_queue)
                startQueueAfterUnblock(d);
            }
        } finally {
            if (mutex) {
                d.stateMutex().unlock();
            }
        }
        if (!mutex) {
            startQueueAfterUnblock(d); // 4.11: state and queue are two unlocked steps
        }
        return true;
    }

    private static void startQueueAfterUnblock(ScsiDevice d) {
        d.host().yieldAt("unblock " + d.hctl() + ": state written, queue not yet started");
        d.queue().start();
        d.host().trace().record("queue started", "device", d.hctl(), "state", d.state().sysfs());
    }

    /**
     * scsi_target_block: every device scsi_device_get accepts is blocked. With cancel-block a
     * device in CANCEL is blocked too, so that James's CANCEL -> CANCEL_BLOCK can happen at all
     * (reconstructed: scsi_device_get refuses CANCEL, and the thread does not show how his patch
     * reached those devices).
     */
    public static void blockTarget(ScsiTarget t) {
        for (ScsiDevice d : t.devices()) {
            if (d.get()) {
                try {
                    blockDevice(d);
                } finally {
                    d.put();
                }
            } else if (t.host().policy().hasCancelBlock() && d.state() == DeviceState.CANCEL) {
                t.host()
                        .trace()
                        .record(
                                "block visits a CANCEL device (cancel-block, reconstructed)",
                                "device",
                                d.hctl());
                blockDevice(d);
            }
        }
    }

    /**
     * scsi_target_unblock: the devices visited are those scsi_device_get accepts, or with {@code
     * bart} every device not in DEL (CANCEL ones only when the host says so). Returns the devices
     * visited.
     */
    public static List<ScsiDevice> unblockTarget(ScsiTarget t, DeviceState newState) {
        List<ScsiDevice> visited = new ArrayList<>();
        t.host().trace().record("scsi_target_unblock", "new state", newState.sysfs());
        for (ScsiDevice d : t.devices()) {
            DeviceState seen = d.state();
            if (t.host().policy().unblockWithoutDeviceGet()) {
                if (seen != DeviceState.DEL
                        && (seen != DeviceState.CANCEL || t.host().unblockVisitsCancel())) {
                    visit(t, d, seen, "visited without scsi_device_get (bart)");
                    visited.add(d);
                    unblockDevice(d, newState);
                } else {
                    skip(t, d, seen, "bart's unblock leaves a " + seen.sysfs() + " device");
                }
            } else if (d.get()) {
                try {
                    visit(t, d, seen, "scsi_device_get took a reference");
                    visited.add(d);
                    unblockDevice(d, newState);
                } finally {
                    d.put();
                }
            } else {
                skip(
                        t,
                        d,
                        seen,
                        seen == DeviceState.CANCEL || seen == DeviceState.DEL
                                ? "scsi_device_get refused the " + seen.sysfs() + " device (-ENXIO)"
                                : "try_module_get failed: module "
                                        + t.host().driver().module().state());
            }
        }
        return visited;
    }

    private static void visit(ScsiTarget t, ScsiDevice d, DeviceState seen, String how) {
        t.host()
                .trace()
                .record("unblock visits", "device", d.hctl(), "state", seen.sysfs(), "how", how);
    }

    /** An unblock that passes a device by: its queue stays as it was (stopped, if blocked). */
    private static void skip(ScsiTarget t, ScsiDevice d, DeviceState seen, String reason) {
        t.host()
                .trace()
                .record(
                        "unblock skips",
                        "device",
                        d.hctl(),
                        "state",
                        seen.sysfs(),
                        "reason",
                        reason,
                        "queue",
                        d.queue().stopped() ? "stopped" : "running");
    }

    /**
     * scsi_target_block on a session or rport device (docs/linux-midlayer.md §4): it walks the
     * device's child targets and blocks each. For a host, every target of the host.
     */
    public static void blockHost(ScsiHost h) {
        for (ScsiTarget t : h.targets()) {
            blockTarget(t);
        }
    }

    /** scsi_target_unblock on a session or rport device: every child target is unblocked. */
    public static List<ScsiDevice> unblockHost(ScsiHost h, DeviceState newState) {
        List<ScsiDevice> visited = new ArrayList<>();
        for (ScsiTarget t : h.targets()) {
            visited.addAll(unblockTarget(t, newState));
        }
        return visited;
    }
}
