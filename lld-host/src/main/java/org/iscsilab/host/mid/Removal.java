package org.iscsilab.host.mid;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Device, target and host removal in the modelled kernel's order (docs/linux-midlayer.md §5, §6).
 *
 * <p>4.11 (and bart, cancel-block): set CANCEL — or, with James's state, CANCEL_BLOCK for a blocked
 * device — and return at once when that is illegal; run the upper driver's remove (sd: SYNCHRONIZE
 * CACHE when the write cache is on and the device online), set DEL, drain the queue, call the LLD's
 * slave_destroy. v4.13 and later: under the state mutex, CANCEL, or for a blocked device DEL with
 * the queue restarted, so nothing parks and nothing is sent.
 *
 * <p>Removal waits for what it issued with no deadline, as the kernel does: when the queue stays
 * stopped it never returns. Callers bound it with a watchdog.
 */
public final class Removal {
    private Removal() {}

    /** __scsi_remove_device. {@code upper} is the bound upper driver, or null. */
    public static void removeDevice(ScsiDevice d, UpperDriver upper) throws InterruptedException {
        if (d.state() == DeviceState.DEL) {
            return;
        }
        Policy policy = d.host().policy();
        if (policy.removalToDel()) {
            boolean mutex = d.host().usesStateMutex();
            if (mutex) {
                d.host().lockStateMutex(d);
            }
            try {
                if (!d.setState(DeviceState.CANCEL)) {
                    if (!d.setState(DeviceState.DEL)) {
                        return;
                    }
                    d.host().yieldAt("remove " + d.hctl() + ": DEL set, queue not yet started");
                    d.queue().start(); // parked requests are dispatched and killed (DEL)
                }
            } finally {
                if (mutex) {
                    d.stateMutex().unlock();
                }
            }
        } else if (!d.setState(DeviceState.CANCEL)
                && !(policy.hasCancelBlock() && d.setState(DeviceState.CANCEL_BLOCK))) {
            return; // 4.11: an illegal CANCEL ends removal before it starts
        }
        d.removeSysfsAttributes(); // device_del starts by removing the sysfs attributes
        if (upper != null) {
            upper.remove(d); // device_del unbinds sd: sd_shutdown -> sd_sync_cache
        }
        setDelAtTheEnd(d);
        d.queue().drain(d.host().yieldPoint(), d.hctl()); // blk_cleanup_queue
        d.host().driver().module().enter("slave_destroy(" + d.hctl() + ")");
        d.host().driver().slaveDestroy(d);
        d.target().forget(d);
    }

    /** The final DEL of __scsi_remove_device: from v4.13 under the device's state mutex. */
    private static void setDelAtTheEnd(ScsiDevice d) {
        boolean mutex = d.host().usesStateMutex();
        if (mutex) {
            d.host().lockStateMutex(d);
        }
        try {
            d.setState(DeviceState.DEL);
        } finally {
            if (mutex) {
                d.stateMutex().unlock();
            }
        }
    }

    /**
     * scsi_remove_device, what a sysfs delete calls: __scsi_remove_device under the host's
     * scan_mutex, held for as long as the removal takes (scsi_sysfs.c, unchanged from 4.9 to 6.x).
     */
    public static void removeDeviceHoldingScanMutex(ScsiDevice d, UpperDriver upper)
            throws InterruptedException {
        ReentrantLock scan = d.host().scanMutex();
        d.host().trace().record("scsi_remove_device: takes scan_mutex", "device", d.hctl());
        scan.lockInterruptibly();
        try {
            removeDevice(d, upper);
            d.host().trace().record("__scsi_remove_device returned", "device", d.hctl());
        } finally {
            scan.unlock();
        }
    }

    /**
     * scsi_remove_target: 4.11 to 4.13 pick devices with scsi_device_get, so during an LLD unload
     * (module GOING) every device is skipped; from 4.15 every device not in DEL or CANCEL is taken
     * (the model's {@code current} policy).
     */
    public static void removeTarget(ScsiTarget t, Function<ScsiDevice, UpperDriver> upper)
            throws InterruptedException {
        for (ScsiDevice d : t.devices()) {
            boolean pick;
            if (t.host().policy() == Policy.CURRENT) {
                pick = d.state() != DeviceState.DEL && d.state() != DeviceState.CANCEL;
            } else {
                pick = d.get();
            }
            if (pick) {
                try {
                    // __scsi_remove_target holds the reference it took across the removal
                    removeDevice(d, upper.apply(d));
                } finally {
                    if (t.host().policy() != Policy.CURRENT) {
                        d.put();
                    }
                }
            }
        }
        if (t.devices().isEmpty()) {
            t.host().forgetTarget(t);
        }
    }

    /**
     * scsi_remove_host: under the host's scan_mutex, host CANCEL, then every device not in DEL is
     * removed (scsi_forget_host, no scsi_device_get), host DEL. A sysfs delete stuck inside the
     * scan_mutex keeps it waiting here (iscsid's stack on 4.9: mutex_lock <- scsi_remove_host <-
     * iscsi_host_remove).
     */
    public static void removeHost(ScsiHost h, Function<ScsiDevice, UpperDriver> upper)
            throws InterruptedException {
        ReentrantLock scan = h.scanMutex();
        h.trace()
                .record(
                        "scsi_remove_host: wants scan_mutex",
                        "held by another thread",
                        Boolean.toString(scan.isLocked() && !scan.isHeldByCurrentThread()));
        scan.lockInterruptibly();
        try {
            h.trace().record("scsi_remove_host: scan_mutex taken");
            h.setState(ScsiHost.State.CANCEL);
            for (ScsiDevice d : h.devices()) {
                if (d.state() != DeviceState.DEL) {
                    removeDevice(d, upper.apply(d));
                }
            }
            h.setState(ScsiHost.State.DEL);
        } finally {
            scan.unlock();
        }
    }
}
