package org.iscsilab.host.mid;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import org.iscsilab.scsi.Cdbs;

/**
 * The sd-like upper driver of one device: read, write and flush for users of the library, open and
 * close (sd_open's scsi_device_get pins the LLD module), the write cache type as sysfs cache_type
 * sets it, a page cache of dirty blocks, and the removal hook of sd_remove: del_gendisk's
 * fsync_bdev writes dirty blocks back as ordinary requests, then sd_shutdown -> sd_sync_cache sends
 * SYNCHRONIZE CACHE when the write cache is on and the device is online (scsi_device_online), as a
 * mid-layer command (preempt). Both are waited for with no deadline. With cancel-block-drop-sync no
 * SYNCHRONIZE CACHE is sent to a CANCEL_BLOCK device (the write-back still is).
 */
public final class ScsiDisk implements UpperDriver {
    private final ScsiDevice device;
    private volatile boolean writeCacheEnabled;
    private volatile int syncCacheSent;
    private volatile long blocks;
    private volatile int blockSize;

    /** Dirty blocks of the page cache by LBA, written back by {@link #writeBack}. */
    private final NavigableMap<Long, byte[]> dirty = new ConcurrentSkipListMap<>();

    public ScsiDisk(ScsiDevice device, boolean writeCacheEnabled) {
        this.device = device;
        this.writeCacheEnabled = writeCacheEnabled;
    }

    public ScsiDevice device() {
        return device;
    }

    /**
     * sd_revalidate_disk in short: READ CAPACITY(16) for the size and MODE SENSE(6) of the caching
     * page (08h) for WCE, through the device's queue.
     */
    public void probe() {
        HostResult cap = execute(Cdbs.readCapacity16(32), null, 32).join();
        if (!cap.good() || cap.data().length < 12) {
            throw new IllegalStateException(device.hctl() + ": READ CAPACITY(16) failed");
        }
        ByteBuffer b = ByteBuffer.wrap(cap.data());
        blocks = b.getLong(0) + 1;
        blockSize = b.getInt(8);
        HostResult mode = execute(Cdbs.modeSense6(0x08, 255), null, 255).join();
        if (mode.good() && mode.data().length >= 4) {
            int at = 4 + (mode.data()[3] & 0xFF); // after the header and block descriptors
            if (mode.data().length > at + 2 && (mode.data()[at] & 0x3F) == 0x08) {
                writeCacheEnabled = (mode.data()[at + 2] & 0x04) != 0;
            }
        }
    }

    public long blocks() {
        return blocks;
    }

    public int blockSize() {
        return blockSize;
    }

    /** READ(16) of {@code count} blocks. */
    public CompletableFuture<HostResult> read(long lba, int count) {
        return execute(Cdbs.read16(lba, count), null, count * blockSize);
    }

    /** WRITE(16) of whole blocks. */
    public CompletableFuture<HostResult> write(long lba, byte[] data) {
        return execute(Cdbs.write16(lba, data.length / blockSize, false), data, 0);
    }

    /** SYNCHRONIZE CACHE(10) of the whole disk, as a user's fsync would ask. */
    public CompletableFuture<HostResult> flush() {
        return execute(Cdbs.synchronizeCache10(), null, 0);
    }

    public boolean writeCacheEnabled() {
        return writeCacheEnabled;
    }

    public void setWriteCacheEnabled(boolean wce) {
        this.writeCacheEnabled = wce;
    }

    /**
     * sd_open: scsi_disk_get -> scsi_device_get, which takes a reference on the device and on the
     * LLD's module; refused (ENXIO) for a device in CANCEL or DEL or a module no longer live.
     */
    public void open() {
        if (!device.get()) {
            throw new IllegalStateException(
                    "sd_open " + device.hctl() + ": ENXIO (" + device.sysfsState() + ")");
        }
    }

    /** sd_release: scsi_disk_put -> scsi_device_put, the module reference goes with it. */
    public void close() {
        device.put();
    }

    /**
     * {@code echo "write through" > cache_type} (sd_store_cache_type): the caching mode page read
     * with MODE SENSE(6), WCE cleared, sent back with MODE SELECT(6), and the disk revalidated.
     */
    public void setWriteThrough() {
        HostResult mode = execute(Cdbs.modeSense6(0x08, 255), null, 255).join();
        byte[] m = mode.data();
        int at = 4 + (m.length > 3 ? m[3] & 0xFF : 0);
        if (!mode.good() || m.length < at + 3 || (m[at] & 0x3F) != 0x08) {
            throw new IllegalStateException(device.hctl() + ": no caching mode page");
        }
        int pageLength = 2 + (m[at + 1] & 0xFF);
        byte[] list = new byte[4 + pageLength];
        System.arraycopy(m, at, list, 4, pageLength);
        list[4] &= 0x3F; // PS is reserved in MODE SELECT
        list[4 + 2] &= ~0x04; // WCE off
        HostResult r = execute(Cdbs.modeSelect6(list.length), list, 0).join();
        if (!r.good()) {
            throw new IllegalStateException(device.hctl() + ": MODE SELECT refused");
        }
        probe();
    }

    /** A buffered write: the blocks go to the page cache, dirty, and nothing is sent. */
    public void writeBuffered(long lba, byte[] data) {
        for (int i = 0; i < data.length / blockSize; i++) {
            byte[] block = new byte[blockSize];
            System.arraycopy(data, i * blockSize, block, 0, blockSize);
            dirty.put(lba + i, block);
        }
    }

    /** Dirty blocks in the page cache. */
    public int dirtyBlocks() {
        return dirty.size();
    }

    /**
     * fsync_bdev: every run of contiguous dirty blocks as one WRITE(16), an ordinary request (so
     * the device state decides whether it waits or is killed), waited for with no deadline. The
     * blocks are clean afterwards whether the write succeeded or not (an error is reported to the
     * mapping, the data is gone). Returns the writes that failed.
     */
    public int writeBack() throws InterruptedException {
        List<CompletableFuture<HostResult>> writes = new ArrayList<>();
        while (!dirty.isEmpty()) {
            long first = dirty.firstKey();
            long end = first;
            while (dirty.containsKey(end + 1)) {
                end++;
            }
            byte[] run = new byte[(int) (end - first + 1) * blockSize];
            for (long lba = first; lba <= end; lba++) {
                System.arraycopy(
                        dirty.remove(lba), 0, run, (int) (lba - first) * blockSize, blockSize);
            }
            writes.add(write(first, run));
        }
        device.host()
                .trace()
                .record(
                        "fsync_bdev: dirty pages written back",
                        "device",
                        device.hctl(),
                        "writes",
                        Integer.toString(writes.size()),
                        "queue",
                        device.queue().stopped() ? "stopped: they wait there" : "running");
        int failed = 0;
        for (CompletableFuture<HostResult> w : writes) {
            try {
                if (!w.get().good()) {
                    failed++;
                }
            } catch (ExecutionException e) {
                failed++;
            }
        }
        return failed;
    }

    /** SYNCHRONIZE CACHE commands this disk has queued (whether or not they reached the LLD). */
    public int syncCacheSent() {
        return syncCacheSent;
    }

    /** Unit attentions a command is retried through (scsi_decide_disposition: NEEDS_RETRY). */
    private static final int UNIT_ATTENTION_RETRIES = 5;

    /**
     * A user command through the device's queue (not preempt). A CHECK CONDITION with UNIT
     * ATTENTION is retried, as the mid-layer does for reset and power-on conditions.
     */
    public CompletableFuture<HostResult> execute(byte[] cdb, byte[] dataOut, int expectedDataIn) {
        return execute(device, cdb, dataOut, expectedDataIn, false, UNIT_ATTENTION_RETRIES);
    }

    private static CompletableFuture<HostResult> execute(
            ScsiDevice d,
            byte[] cdb,
            byte[] dataOut,
            int expectedDataIn,
            boolean preempt,
            int retries) {
        return d.submit(new Request(cdb, dataOut, expectedDataIn, preempt))
                .thenCompose(
                        r ->
                                retries > 0 && unitAttention(r)
                                        ? execute(
                                                d,
                                                cdb,
                                                dataOut,
                                                expectedDataIn,
                                                preempt,
                                                retries - 1)
                                        : CompletableFuture.completedFuture(r));
    }

    /** CHECK CONDITION with sense key UNIT ATTENTION, fixed or descriptor format. */
    static boolean unitAttention(HostResult r) {
        byte[] s = r.sense();
        if (r.status() != 0x02 || s.length < 3) {
            return false;
        }
        int code = s[0] & 0x7F;
        int key = code >= 0x72 ? s[1] & 0x0F : s[2] & 0x0F;
        return key == 0x06;
    }

    @Override
    public void remove(ScsiDevice d) throws InterruptedException {
        if (!dirty.isEmpty()) {
            writeBack(); // del_gendisk -> invalidate_partition -> fsync_bdev, before sd_shutdown
        }
        if (!writeCacheEnabled || !d.state().online()) {
            return; // sd_sync_cache: -ENODEV for OFFLINE, TRANSPORT_OFFLINE, DEL
        }
        if (d.state() == DeviceState.CANCEL_BLOCK
                && d.host().policy().dropSyncCacheWhenCancelBlocked()) {
            return;
        }
        syncCacheSent++;
        d.host()
                .trace()
                .record(
                        "sd_sync_cache: SYNCHRONIZE CACHE queued",
                        "device",
                        d.hctl(),
                        "state",
                        d.state().sysfs(),
                        "queue",
                        d.queue().stopped() ? "stopped: it waits there" : "running");
        try {
            // scsi_execute: a mid-layer (preempt) command, unit attentions retried, no deadline
            execute(d, Cdbs.synchronizeCache10(), null, 0, true, UNIT_ATTENTION_RETRIES).get();
        } catch (ExecutionException e) {
            // the command failed; sd logs it and removal goes on
        }
    }
}
