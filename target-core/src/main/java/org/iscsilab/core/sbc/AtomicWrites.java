package org.iscsilab.core.sbc;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Lock;
import org.iscsilab.core.lu.BlockLimits;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseException;
import org.iscsilab.scsi.SenseKey;

/**
 * Read-modify-write commands that must be atomic against every other command on the logical unit,
 * from any I_T nexus: COMPARE AND WRITE (SBC-4 §5.3) and ORWRITE(16) (SBC-4 §5.12). They hold the
 * unit's medium lock exclusively while they compare and write.
 */
final class AtomicWrites {
    private static final int MAX_COMPARE_AND_WRITE_BLOCKS =
            BlockLimits.MAX_COMPARE_AND_WRITE_BLOCKS;

    private AtomicWrites() {}

    static CompletableFuture<ScsiOutcome> compareAndWrite(LogicalUnit lu, ScsiTask task) {
        Cdb cdb = task.cdb();
        MediumAccess.requireWritable(lu);
        if ((cdb.u8(1) >> 5) != 0) {
            throw SenseException.invalidFieldInCdb(1, 7);
        }
        long lba = cdb.u64(2);
        int blocks = cdb.u8(13);
        if (blocks > MAX_COMPARE_AND_WRITE_BLOCKS) {
            throw SenseException.invalidFieldInCdb(13);
        }
        BlockRange.checkWithin(lu, lba, blocks);
        int half = blocks * lu.blockSize();
        if (task.expectedDataTransferLength() != 2 * half) {
            // SBC-4 §5.3: the Data-Out Buffer holds exactly the verify and the write instance, so a
            // NUMBER OF LOGICAL BLOCKS that does not match the data sent is a bad CDB field
            throw SenseException.invalidFieldInCdb(13);
        }
        if (blocks == 0) {
            return CompletableFuture.completedFuture(ScsiOutcome.good());
        }
        boolean durable = cdb.bit(1, 3) || !lu.writeCacheEnabled();
        return task.dataOut()
                .receive(2 * half)
                .thenCompose(
                        data ->
                                lu.io(
                                        () -> {
                                            Lock l = lu.mediumLock().writeLock();
                                            l.lock();
                                            try {
                                                ByteBuffer medium = ByteBuffer.allocate(half);
                                                lu.store().read(lba * lu.blockSize(), medium);
                                                medium.flip();
                                                int diff =
                                                        MediumAccess.firstDifference(
                                                                medium, data, half);
                                                if (diff >= 0) {
                                                    throw MediumAccess.miscompare(diff);
                                                }
                                                ByteBuffer write =
                                                        data.duplicate()
                                                                .position(data.position() + half);
                                                lu.store()
                                                        .write(
                                                                lba * lu.blockSize(),
                                                                write,
                                                                durable);
                                                lu.mapped(lba, blocks);
                                            } finally {
                                                l.unlock();
                                            }
                                            return ScsiOutcome.dataOut(2 * half);
                                        }));
    }

    static CompletableFuture<ScsiOutcome> orWrite(LogicalUnit lu, ScsiTask task) {
        Cdb cdb = task.cdb();
        MediumAccess.requireWritable(lu);
        if ((cdb.u8(1) >> 5) != 0) { // ORPROTECT
            throw SenseException.invalidFieldInCdb(1, 7);
        }
        VerifyCommands.Extent e = VerifyCommands.Extent.of(cdb);
        e.check(lu);
        int length = (int) (e.blocks() * lu.blockSize());
        if (length == 0) {
            return CompletableFuture.completedFuture(ScsiOutcome.good());
        }
        boolean durable = cdb.bit(1, 3) || !lu.writeCacheEnabled();
        return task.dataOut()
                .receive(length)
                .thenCompose(
                        data ->
                                lu.io(
                                        () -> {
                                            Lock l = lu.mediumLock().writeLock();
                                            l.lock();
                                            try {
                                                ByteBuffer medium = ByteBuffer.allocate(length);
                                                lu.store().read(e.lba() * lu.blockSize(), medium);
                                                medium.flip();
                                                for (int i = 0; i < length; i++) {
                                                    medium.put(
                                                            i,
                                                            (byte)
                                                                    (medium.get(i)
                                                                            | data.get(
                                                                                    data.position()
                                                                                            + i)));
                                                }
                                                lu.store()
                                                        .write(
                                                                e.lba() * lu.blockSize(),
                                                                medium,
                                                                durable);
                                                lu.mapped(e.lba(), e.blocks());
                                            } finally {
                                                l.unlock();
                                            }
                                            return ScsiOutcome.dataOut(length);
                                        }));
    }

    /**
     * Block Limits atomic-write fields: alignment and granularity follow the physical block (SBC-4
     * §6.6.3).
     */
    static int atomicAlignment(LogicalUnit lu) {
        return 1 << lu.format().logicalBlocksPerPhysicalBlockExponent();
    }

    /**
     * WRITE ATOMIC(16) (SBC-4 §5.49): the whole transfer lands, or none of it, as seen by any
     * reader.
     */
    static CompletableFuture<ScsiOutcome> writeAtomic(LogicalUnit lu, ScsiTask task) {
        Cdb cdb = task.cdb();
        MediumAccess.requireWritable(lu);
        if ((cdb.u8(1) >> 5) != 0) {
            throw SenseException.invalidFieldInCdb(1, 7);
        }
        long lba = cdb.u64(2);
        int boundary = cdb.u16(10);
        int blocks = cdb.u16(12);
        if (boundary != 0) { // MAXIMUM ATOMIC BOUNDARY SIZE is zero
            throw SenseException.invalidFieldInCdb(10);
        }
        BlockRange.checkWithin(lu, lba, blocks);
        int align = atomicAlignment(lu);
        if (blocks > BlockLimits.maxAtomicTransferBlocks(lu) || blocks % align != 0) {
            throw SenseException.invalidFieldInCdb(12);
        }
        if (lba % align != 0) {
            throw SenseException.invalidFieldInCdb(2);
        }
        int length = blocks * lu.blockSize();
        if (length == 0) {
            return CompletableFuture.completedFuture(ScsiOutcome.good());
        }
        boolean durable = cdb.bit(1, 3) || !lu.writeCacheEnabled();
        int carried = Math.min(length, task.expectedDataTransferLength());
        if (carried != length) { // an atomic write is all or nothing
            throw new SenseException(
                    SenseData.of(
                            SenseKey.ILLEGAL_REQUEST,
                            AdditionalSense.INVALID_FIELD_IN_INFORMATION_UNIT));
        }
        return task.dataOut()
                .receive(length)
                .thenCompose(
                        data ->
                                lu.io(
                                        () -> {
                                            Lock l = lu.mediumLock().writeLock();
                                            l.lock();
                                            try {
                                                lu.store()
                                                        .write(lba * lu.blockSize(), data, durable);
                                                lu.mapped(lba, blocks);
                                            } finally {
                                                l.unlock();
                                            }
                                            return ScsiOutcome.dataOut(length);
                                        }));
    }
}
