package org.iscsilab.core.sbc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.store.Unmappable;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseException;
import org.iscsilab.scsi.SenseKey;

/** Block-addressed reads and writes of a logical unit's medium, under its medium lock. */
public final class MediumAccess {
    private MediumAccess() {}

    public static ByteBuffer read(LogicalUnit lu, long lba, int bytes) throws IOException {
        return read(lu, lba, ByteBuffer.allocate(bytes));
    }

    /** Fills {@code buf} (position to limit) from the medium at {@code lba}; returns it flipped. */
    public static ByteBuffer read(LogicalUnit lu, long lba, ByteBuffer buf) throws IOException {
        Lock l = lu.mediumLock().readLock();
        l.lock();
        try {
            lu.store().read(lba * lu.blockSize(), buf);
        } finally {
            l.unlock();
        }
        return buf.flip();
    }

    public static void write(LogicalUnit lu, long lba, ByteBuffer data, boolean durable)
            throws IOException {
        long blocks = data.remaining() / lu.blockSize();
        Lock l = lu.mediumLock().readLock();
        l.lock();
        try {
            lu.store().write(lba * lu.blockSize(), data, durable);
            lu.mapped(lba, blocks);
        } finally {
            l.unlock();
        }
    }

    /** Writes segments that together are a whole number of blocks, as one write at {@code lba}. */
    public static void write(LogicalUnit lu, long lba, ByteBuffer[] segments, boolean durable)
            throws IOException {
        long bytes = 0;
        for (ByteBuffer s : segments) {
            bytes += s.remaining();
        }
        Lock l = lu.mediumLock().readLock();
        l.lock();
        try {
            lu.store().write(lba * lu.blockSize(), segments, durable);
            lu.mapped(lba, bytes / lu.blockSize());
        } finally {
            l.unlock();
        }
    }

    /**
     * Every block reads as zeros afterwards and, on a thin unit, is unmapped (block erase, format).
     */
    static void eraseAll(LogicalUnit lu) throws IOException {
        long bytes = lu.blockCount() * lu.blockSize();
        Optional<Unmappable> unmapper = lu.store().unmapper();
        if (unmapper.isPresent()) {
            unmapper.get().unmap(0, bytes);
            if (lu.provisioning() != null) {
                lu.provisioning().unmap(0, lu.blockCount());
            }
            return;
        }
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(bytes, ERASE_CHUNK));
        for (long at = 0; at < bytes; at += zeros.capacity()) {
            lu.store()
                    .write(
                            at,
                            zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - at)),
                            false);
        }
    }

    /** A store that cannot unmap is erased by writing zeros this many bytes at a time. */
    private static final int ERASE_CHUNK = 1 << 20;

    public static void requireWritable(LogicalUnit lu) {
        if (lu.readOnly()) { // SBC-4 §4.11: write protection
            throw new SenseException(
                    SenseData.of(SenseKey.DATA_PROTECT, AdditionalSense.WRITE_PROTECTED));
        }
        if (lu.softwareWriteProtect()) {
            throw new SenseException(
                    SenseData.of(
                            SenseKey.DATA_PROTECT,
                            AdditionalSense.LOGICAL_UNIT_SOFTWARE_WRITE_PROTECTED));
        }
    }

    /** SBC-4 §5.3: MISCOMPARE with INFORMATION set to the offset of the first differing byte. */
    static SenseException miscompare(long offset) {
        return new SenseException(
                SenseData.of(SenseKey.MISCOMPARE, AdditionalSense.MISCOMPARE_DURING_VERIFY)
                        .withInformation(offset));
    }

    /** Offset of the first differing byte, or -1 when equal. */
    static int firstDifference(ByteBuffer a, ByteBuffer b, int length) {
        for (int i = 0; i < length; i++) {
            if (a.get(a.position() + i) != b.get(b.position() + i)) {
                return i;
            }
        }
        return -1;
    }
}
