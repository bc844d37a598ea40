package org.iscsilab.core.sbc;

import org.iscsilab.core.lu.BlockLimits;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseException;

/** The LBA range and flags of a READ/WRITE CDB (SBC-4 §5.14-§5.18, §5.38-§5.42). */
record BlockRange(long lba, long blocks, boolean fua, int protect, int transferLengthOffset) {

    static BlockRange parse(Cdb cdb) {
        return switch (cdb.opcode()) {
            case ScsiOpcode.READ_6, ScsiOpcode.WRITE_6 -> {
                int tl = cdb.u8(4);
                // SBC-4 §5.15: a TRANSFER LENGTH of zero in a 6-byte CDB means 256 blocks
                yield new BlockRange(cdb.u24(1) & 0x1FFFFF, tl == 0 ? 256 : tl, false, 0, 4);
            }
            case ScsiOpcode.READ_10, ScsiOpcode.WRITE_10 ->
                    new BlockRange(cdb.u32(2), cdb.u16(7), cdb.bit(1, 3), cdb.u8(1) >> 5, 7);
            case ScsiOpcode.READ_12, ScsiOpcode.WRITE_12 ->
                    new BlockRange(cdb.u32(2), cdb.u32(6), cdb.bit(1, 3), cdb.u8(1) >> 5, 6);
            case ScsiOpcode.READ_16, ScsiOpcode.WRITE_16 ->
                    new BlockRange(cdb.u64(2), cdb.u32(10), cdb.bit(1, 3), cdb.u8(1) >> 5, 10);
            default -> throw new IllegalArgumentException("not a READ or WRITE: " + cdb);
        };
    }

    /**
     * SBC-4 §4.5: RDPROTECT/WRPROTECT need protection information, which we do not format;
     * the range must lie within the medium; the transfer must fit the Block Limits maximum.
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
        if (Long.compareUnsigned(lba, count) >= 0 || Long.compareUnsigned(blocks, count - lba) > 0) {
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
