package org.iscsilab.host.mid;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The sd-like upper driver of one device: read, write and flush for users of the library, and
 * the removal hook of sd_remove -> sd_shutdown -> sd_sync_cache: SYNCHRONIZE CACHE when the
 * write cache is on and the device is online (scsi_device_online), sent as a mid-layer command
 * (preempt) and waited for with no deadline. With cancel-block-drop-sync nothing is sent to a
 * CANCEL_BLOCK device.
 */
public final class ScsiDisk implements UpperDriver {
    private static final int SYNCHRONIZE_CACHE_10 = 0x35;
    private final ScsiDevice device;
    private volatile boolean writeCacheEnabled;
    private volatile int syncCacheSent;

    public ScsiDisk(ScsiDevice device, boolean writeCacheEnabled) {
        this.device = device;
        this.writeCacheEnabled = writeCacheEnabled;
    }

    public ScsiDevice device() {
        return device;
    }

    public boolean writeCacheEnabled() {
        return writeCacheEnabled;
    }

    public void setWriteCacheEnabled(boolean wce) {
        this.writeCacheEnabled = wce;
    }

    /** SYNCHRONIZE CACHE commands this disk has queued (whether or not they reached the LLD). */
    public int syncCacheSent() {
        return syncCacheSent;
    }

    /** A user command through the device's queue (not preempt). */
    public CompletableFuture<HostResult> execute(byte[] cdb, byte[] dataOut, int expectedDataIn) {
        return device.submit(new Request(cdb, dataOut, expectedDataIn, false));
    }

    @Override
    public void remove(ScsiDevice d) throws InterruptedException {
        if (!writeCacheEnabled || !d.state().online()) {
            return; // sd_sync_cache: -ENODEV for OFFLINE, TRANSPORT_OFFLINE, DEL
        }
        if (d.state() == DeviceState.CANCEL_BLOCK && d.host().policy().dropSyncCacheWhenCancelBlocked()) {
            return;
        }
        syncCacheSent++;
        Request sync = new Request(new byte[] {SYNCHRONIZE_CACHE_10, 0, 0, 0, 0, 0, 0, 0, 0, 0}, null, 0, true);
        try {
            d.submit(sync).get(); // blk_execute_rq: no deadline
        } catch (ExecutionException e) {
            // the command failed; sd logs it and removal goes on
        }
    }
}
