package org.iscsilab.core.sbc;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.core.lu.BlockLimits;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.SenseException;

/**
 * VERIFY (SBC-4 §5.33-§5.35) and WRITE AND VERIFY (§5.43-§5.45), in their 10, 12 and 16-byte forms.
 */
final class VerifyCommands {
    /** BYTCHK values (SBC-4 table 95). */
    private static final int NO_COMPARE = 0b00;

    private static final int COMPARE_ALL = 0b01;
    private static final int COMPARE_ONE_BLOCK = 0b11;

    private VerifyCommands() {}

    /** LBA and length of a 10, 12 or 16-byte CDB by its group code. */
    record Extent(long lba, long blocks, int lengthOffset) {
        static Extent of(Cdb cdb) {
            return switch (cdb.length() >= 16 && (cdb.opcode() >> 5) == 4
                    ? 16
                    : (cdb.opcode() >> 5) == 5 ? 12 : 10) {
                case 16 -> new Extent(cdb.u64(2), cdb.u32(10), 10);
                case 12 -> new Extent(cdb.u32(2), cdb.u32(6), 6);
                default -> new Extent(cdb.u32(2), cdb.u16(7), 7);
            };
        }

        void check(LogicalUnit lu) {
            BlockRange.checkWithin(lu, lba, blocks);
            if (blocks * lu.blockSize() > BlockLimits.MAX_TRANSFER_BYTES) {
                throw SenseException.invalidFieldInCdb(lengthOffset);
            }
        }
    }

    static CompletableFuture<ScsiOutcome> verify(LogicalUnit lu, ScsiTask task) {
        Cdb cdb = task.cdb();
        if ((cdb.u8(1) >> 5) != 0) { // VRPROTECT without protection information
            throw SenseException.invalidFieldInCdb(1, 7);
        }
        int bytchk = (cdb.u8(1) >> 1) & 0x03;
        if (bytchk == 0b10) {
            throw SenseException.invalidFieldInCdb(1, 2);
        }
        Extent e = Extent.of(cdb);
        e.check(lu);
        int bs = lu.blockSize();
        int length = (int) (e.blocks() * bs);
        if (e.blocks() == 0 || bytchk == NO_COMPARE) {
            // the medium is always readable: nothing to report
            return CompletableFuture.completedFuture(ScsiOutcome.good());
        }
        int dataOut = bytchk == COMPARE_ALL ? length : bs;
        return task.dataOut()
                .receive(dataOut)
                .thenCompose(
                        data ->
                                lu.io(
                                        () -> {
                                            ByteBuffer medium =
                                                    MediumAccess.read(lu, e.lba(), length);
                                            compare(lu, medium, data, bytchk == COMPARE_ONE_BLOCK);
                                            return ScsiOutcome.dataOut(dataOut);
                                        }));
    }

    /**
     * Compares the medium with the data-out (or one block with each block); MISCOMPARE at the first
     * difference.
     */
    static void compare(
            LogicalUnit lu, ByteBuffer medium, ByteBuffer data, boolean oneBlockForAll) {
        int bs = lu.blockSize();
        int blocks = medium.remaining() / bs;
        for (int b = 0; b < blocks; b++) {
            ByteBuffer m = medium.duplicate().position(medium.position() + b * bs);
            ByteBuffer d =
                    data.duplicate().position(data.position() + (oneBlockForAll ? 0 : b * bs));
            int diff = MediumAccess.firstDifference(m, d, bs);
            if (diff >= 0) {
                throw MediumAccess.miscompare((long) (oneBlockForAll ? 0 : b * bs) + diff);
            }
        }
    }

    static CompletableFuture<ScsiOutcome> writeAndVerify(LogicalUnit lu, ScsiTask task) {
        Cdb cdb = task.cdb();
        MediumAccess.requireWritable(lu);
        if ((cdb.u8(1) >> 5) != 0) { // WRPROTECT without protection information
            throw SenseException.invalidFieldInCdb(1, 7);
        }
        int bytchk = (cdb.u8(1) >> 1) & 0x03;
        if (bytchk == 0b10 || bytchk == COMPARE_ONE_BLOCK) { // SBC-4 §5.43: only 00b and 01b
            throw SenseException.invalidFieldInCdb(1, 2);
        }
        Extent e = Extent.of(cdb);
        e.check(lu);
        // SBC-4 §5.43: the written data is verified, so it is made durable first
        return BlockIo.write(lu, task, e.lba(), (int) (e.blocks() * lu.blockSize()), true, true);
    }

    /** SBC-4 §5.9/§5.10 PRE-FETCH: no separate cache to fill, so GOOD once the range is valid. */
    static ScsiOutcome preFetch(LogicalUnit lu, ScsiTask task) {
        Extent e = Extent.of(task.cdb());
        BlockRange.checkWithin(lu, e.lba(), e.blocks());
        return ScsiOutcome.good();
    }
}
