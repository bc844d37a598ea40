package org.iscsilab.core.fault;

import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.ScsiOpcode;

/** The blocks a CDB addresses (SBC-4 CDB layouts), for LBA-scoped fault rules and the event log. */
public record CommandRange(long lba, long blocks) {
    public static final CommandRange NONE = new CommandRange(-1, 0);

    public static CommandRange of(Cdb cdb) {
        return switch (cdb.opcode()) {
            case ScsiOpcode.READ_6, ScsiOpcode.WRITE_6 -> {
                int n = cdb.u8(4);
                yield new CommandRange(cdb.u24(1) & 0x1FFFFF, n == 0 ? 256 : n);
            }
            case ScsiOpcode.READ_10,
                    ScsiOpcode.WRITE_10,
                    ScsiOpcode.VERIFY_10,
                    ScsiOpcode.WRITE_AND_VERIFY_10,
                    ScsiOpcode.WRITE_SAME_10,
                    ScsiOpcode.PRE_FETCH_10,
                    ScsiOpcode.SYNCHRONIZE_CACHE_10 ->
                    new CommandRange(cdb.u32(2), cdb.u16(7));
            case ScsiOpcode.READ_12,
                    ScsiOpcode.WRITE_12,
                    ScsiOpcode.VERIFY_12,
                    ScsiOpcode.WRITE_AND_VERIFY_12 ->
                    new CommandRange(cdb.u32(2), cdb.u32(6));
            case ScsiOpcode.READ_16,
                    ScsiOpcode.WRITE_16,
                    ScsiOpcode.VERIFY_16,
                    ScsiOpcode.WRITE_AND_VERIFY_16,
                    ScsiOpcode.WRITE_SAME_16,
                    ScsiOpcode.PRE_FETCH_16,
                    ScsiOpcode.SYNCHRONIZE_CACHE_16,
                    ScsiOpcode.ORWRITE_16 ->
                    new CommandRange(cdb.u64(2), cdb.u32(10));
            case ScsiOpcode.COMPARE_AND_WRITE -> new CommandRange(cdb.u64(2), cdb.u8(13));
            case ScsiOpcode.WRITE_ATOMIC_16 -> new CommandRange(cdb.u64(2), cdb.u16(12));
            default -> NONE;
        };
    }
}
