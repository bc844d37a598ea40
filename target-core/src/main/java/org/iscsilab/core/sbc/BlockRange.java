package org.iscsilab.core.sbc;

import org.iscsilab.core.lu.BlockLimits;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.ReadWriteLayout;
import org.iscsilab.scsi.SenseException;

/** The LBA range and flags of a READ/WRITE CDB (SBC-4 §5.14-§5.18, §5.38-§5.42). */
record BlockRange(long lba, long blocks, boolean fua, int protect, int transferLengthOffset) {

    static BlockRange parse(Cdb cdb) {
        ReadWriteLayout l = ReadWriteLayout.of(cdb.opcode());
        return new BlockRange(
                l.lba(cdb),
                l.transferLength(cdb),
                l.fua(cdb),
                l.protect(cdb),
                l.transferLengthOffset());
    }

    /**
     * SBC-4 §4.5: RDPROTECT/WRPROTECT need protection information, which we do not format; the
     * range must lie within the medium; the transfer must fit the Block Limits maximum.
     */
    void check(LogicalUnit lu) {
        if (protect != 0) {
            throw SenseException.invalidFieldInCdb(1, 7);
        }
        checkWithin(lu, lba, blocks);
        if (blocks * lu.blockSize() > BlockLimits.MAX_TRANSFER_BYTES) {
            throw SenseException.invalidFieldInCdb(transferLengthOffset);
        }
    }

    /**
     * SBC-4 §4.5: LBA OUT OF RANGE when the LBA is past the last block or the range runs past it
     * (LBAs are unsigned 64-bit, so the comparison is unsigned).
     */
    static void checkWithin(LogicalUnit lu, long lba, long blocks) {
        long count = lu.blockCount();
        if (Long.compareUnsigned(lba, count) >= 0
                || Long.compareUnsigned(blocks, count - lba) > 0) {
            throw SenseException.lbaOutOfRange();
        }
    }

    long byteOffset(int blockSize) {
        return lba * blockSize;
    }

    int byteLength(int blockSize) {
        return Math.toIntExact(blocks * blockSize);
    }
}
