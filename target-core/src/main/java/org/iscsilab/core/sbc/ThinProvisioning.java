package org.iscsilab.core.sbc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Lock;
import org.iscsilab.core.lu.BlockLimits;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ProvisioningMap;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.core.store.Unmappable;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseException;
import org.iscsilab.scsi.SenseKey;

/**
 * Logical block provisioning (SBC-4 §4.7): UNMAP (§5.31), WRITE SAME (10/16) with and without UNMAP
 * (§5.48-§5.50) and GET LBA STATUS (§5.8). Unmapped blocks read as zeros (LBPRZ).
 */
final class ThinProvisioning {
    private static final long MAX_UNMAP_LBA_COUNT = BlockLimits.MAX_UNMAP_LBA_COUNT;
    private static final int MAX_UNMAP_DESCRIPTORS = BlockLimits.MAX_UNMAP_DESCRIPTORS;
    private static final long MAX_WRITE_SAME_BLOCKS = BlockLimits.MAX_WRITE_SAME_BLOCKS;

    private ThinProvisioning() {}

    static CompletableFuture<ScsiOutcome> unmap(LogicalUnit lu, ScsiTask task) {
        if (!lu.thin()) {
            throw SenseException.invalidOpcode();
        }
        MediumAccess.requireWritable(lu);
        Cdb cdb = task.cdb();
        if (cdb.bit(1, 0)) { // ANCHOR: anchored state not supported (ANC_SUP=0)
            throw SenseException.invalidFieldInCdb(1, 0);
        }
        int listLength = cdb.u16(7);
        if (listLength == 0) {
            return CompletableFuture.completedFuture(ScsiOutcome.good());
        }
        if (listLength < 8) { // SBC-4 §5.31.1: shorter than the header
            throw new SenseException(
                    SenseData.of(
                            SenseKey.ILLEGAL_REQUEST, AdditionalSense.PARAMETER_LIST_LENGTH_ERROR));
        }
        int carried = Math.min(listLength, task.expectedDataTransferLength());
        return task.dataOut()
                .receive(carried)
                .thenCompose(
                        list ->
                                lu.io(
                                        () -> {
                                            ByteBuffer p = list.duplicate();
                                            int descriptorBytes =
                                                    p.getShort(p.position() + 2) & 0xFFFF;
                                            if (descriptorBytes > carried - 8) {
                                                throw new SenseException(
                                                        SenseData.of(
                                                                SenseKey.ILLEGAL_REQUEST,
                                                                AdditionalSense
                                                                        .PARAMETER_LIST_LENGTH_ERROR));
                                            }
                                            int count = descriptorBytes / 16;
                                            if (count > MAX_UNMAP_DESCRIPTORS) {
                                                throw new SenseException(
                                                        SenseData.illegalRequest(
                                                                AdditionalSense
                                                                        .INVALID_FIELD_IN_PARAMETER_LIST,
                                                                SenseData.FieldPointer
                                                                        .parameterByte(2)));
                                            }
                                            // check every descriptor before changing anything
                                            // (SBC-4 §5.31.2)
                                            for (int i = 0; i < count; i++) {
                                                int at = p.position() + 8 + i * 16;
                                                long lba = p.getLong(at);
                                                long blocks = p.getInt(at + 8) & 0xFFFFFFFFL;
                                                // SBC-4 §5.31.2: only LBA + NUMBER OF LOGICAL
                                                // BLOCKS beyond the capacity is out of range
                                                if (Long.compareUnsigned(lba, lu.blockCount()) > 0
                                                        || Long.compareUnsigned(
                                                                        blocks,
                                                                        lu.blockCount() - lba)
                                                                > 0) {
                                                    throw SenseException.lbaOutOfRange();
                                                }
                                                if (blocks > MAX_UNMAP_LBA_COUNT) {
                                                    throw new SenseException(
                                                            SenseData.illegalRequest(
                                                                    AdditionalSense
                                                                            .INVALID_FIELD_IN_PARAMETER_LIST,
                                                                    SenseData.FieldPointer
                                                                            .parameterByte(
                                                                                    8 + i * 16
                                                                                            + 8)));
                                                }
                                            }
                                            for (int i = 0; i < count; i++) {
                                                int at = p.position() + 8 + i * 16;
                                                deallocate(
                                                        lu,
                                                        p.getLong(at),
                                                        p.getInt(at + 8) & 0xFFFFFFFFL);
                                            }
                                            return ScsiOutcome.dataOut(carried);
                                        }));
    }

    private static void deallocate(LogicalUnit lu, long lba, long blocks) throws IOException {
        if (blocks == 0) {
            return;
        }
        Lock l = lu.mediumLock().readLock();
        l.lock();
        try {
            ((Unmappable) lu.store()).unmap(lba * lu.blockSize(), blocks * lu.blockSize());
            lu.provisioning().unmap(lba, blocks);
        } finally {
            l.unlock();
        }
    }

    static CompletableFuture<ScsiOutcome> writeSame(LogicalUnit lu, ScsiTask task) {
        Cdb cdb = task.cdb();
        boolean sixteen = cdb.opcode() == ScsiOpcode.WRITE_SAME_16;
        MediumAccess.requireWritable(lu);
        if ((cdb.u8(1) >> 5) != 0) { // WRPROTECT
            throw SenseException.invalidFieldInCdb(1, 7);
        }
        boolean anchor = cdb.bit(1, 4);
        boolean unmap = cdb.bit(1, 3);
        boolean ndob = sixteen && cdb.bit(1, 0);
        if (anchor) { // ANC_SUP=0
            throw SenseException.invalidFieldInCdb(1, 4);
        }
        if (unmap && !lu.thin()) { // LBPWS/LBPWS10 are zero on fully provisioned units
            throw SenseException.invalidFieldInCdb(1, 3);
        }
        long lba = sixteen ? cdb.u64(2) : cdb.u32(2);
        long requested = sixteen ? cdb.u32(10) : cdb.u16(7);
        if (Long.compareUnsigned(lba, lu.blockCount()) >= 0) {
            throw SenseException.lbaOutOfRange();
        }
        // WSNZ=0: NUMBER OF LOGICAL BLOCKS zero means "to the last logical block" (SBC-4 §5.48)
        long blocks = requested == 0 ? lu.blockCount() - lba : requested;
        BlockRange.checkWithin(lu, lba, blocks);
        if (blocks > MAX_WRITE_SAME_BLOCKS) {
            throw SenseException.invalidFieldInCdb(sixteen ? 10 : 7);
        }
        int bs = lu.blockSize();
        if (ndob) {
            return lu.io(
                    () -> {
                        fill(lu, lba, blocks, ByteBuffer.allocate(bs), unmap);
                        return ScsiOutcome.good();
                    });
        }
        if (task.expectedDataTransferLength() != bs) {
            // SBC-4 §5.48: the Data-Out Buffer holds exactly one logical block
            throw new SenseException(
                    SenseData.of(
                            SenseKey.ILLEGAL_REQUEST,
                            AdditionalSense.INVALID_FIELD_IN_INFORMATION_UNIT));
        }
        return task.dataOut()
                .receive(bs)
                .thenCompose(
                        block ->
                                lu.io(
                                        () -> {
                                            fill(lu, lba, blocks, block, unmap);
                                            return ScsiOutcome.dataOut(bs);
                                        }));
    }

    /**
     * Writes the block to every LBA; with UNMAP the range is deallocated whatever the block holds,
     * as SBC-3 specified and initiators' conformance suites expect (with LBPRZ the range then reads
     * as zeros).
     */
    private static void fill(LogicalUnit lu, long lba, long blocks, ByteBuffer block, boolean unmap)
            throws IOException {
        int bs = lu.blockSize();
        if (unmap) {
            deallocate(lu, lba, blocks);
            return;
        }
        int perChunk = Math.max(1, (1 << 20) / bs);
        ByteBuffer chunk = ByteBuffer.allocate(perChunk * bs);
        for (int i = 0; i < perChunk; i++) {
            chunk.put(block.duplicate());
        }
        for (long done = 0; done < blocks; ) {
            int n = (int) Math.min(perChunk, blocks - done);
            MediumAccess.write(
                    lu,
                    lba + done,
                    chunk.duplicate().position(0).limit(n * bs),
                    !lu.writeCacheEnabled());
            done += n;
        }
    }

    /** GET LBA STATUS: descriptors of mapped/deallocated runs from the given LBA (SBC-4 §5.8.2). */
    static ScsiOutcome getLbaStatus(LogicalUnit lu, ScsiTask task) {
        Cdb cdb = task.cdb();
        long lba = cdb.u64(2);
        int allocation = (int) Math.min(Integer.MAX_VALUE, cdb.u32(10));
        long count = lu.blockCount();
        if (Long.compareUnsigned(lba, count) >= 0) {
            throw SenseException.lbaOutOfRange();
        }
        int room = Math.max(1, Math.min(64, (allocation - 8) / 16));
        ByteBuffer out = ByteBuffer.allocate(8 + room * 16);
        out.position(8);
        ProvisioningMap map = lu.provisioning();
        long at = lba;
        int written = 0;
        while (written < room && at < count) {
            long limit = Math.min(count - at, 0xFFFFFFFFL);
            boolean mapped =
                    map == null || map.mapped(at); // fully provisioned: every block is mapped
            long run = map == null ? limit : map.runLength(at, limit);
            out.putLong(at).putInt((int) run).put((byte) (mapped ? 0 : 1)).put(new byte[3]);
            at += run;
            written++;
        }
        out.putInt(0, 4 + written * 16); // PARAMETER DATA LENGTH
        return ScsiOutcome.dataIn(Arrays.copyOf(out.array(), 8 + written * 16), allocation);
    }
}
