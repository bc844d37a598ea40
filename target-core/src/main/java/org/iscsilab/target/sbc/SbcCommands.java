package org.iscsilab.target.sbc;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.target.lu.CommandHandler;
import org.iscsilab.target.lu.CommandSet;
import org.iscsilab.target.lu.LogicalUnit;
import org.iscsilab.target.lu.ScsiOutcome;
import org.iscsilab.target.lu.ScsiTask;
import org.iscsilab.target.scsi.ScsiOpcode;
import org.iscsilab.target.scsi.SenseException;

/** Block commands (SBC-4) of a direct-access logical unit. */
public final class SbcCommands {
    private SbcCommands() {
    }

    public static void registerInto(CommandSet set) {
        for (int op : new int[] {ScsiOpcode.READ_6, ScsiOpcode.READ_10, ScsiOpcode.READ_12, ScsiOpcode.READ_16}) {
            set.add(op, BlockIo::read);
        }
        for (int op : new int[] {ScsiOpcode.WRITE_6, ScsiOpcode.WRITE_10, ScsiOpcode.WRITE_12, ScsiOpcode.WRITE_16}) {
            set.add(op, BlockIo::write);
        }
        set.add(ScsiOpcode.READ_CAPACITY_10, CommandHandler.immediate(SbcCommands::readCapacity10));
        set.add(ScsiOpcode.SERVICE_ACTION_IN_16, CommandHandler.immediate(SbcCommands::serviceActionIn16));
        set.add(ScsiOpcode.SYNCHRONIZE_CACHE_10, SbcCommands::synchronizeCache);
        set.add(ScsiOpcode.SYNCHRONIZE_CACHE_16, SbcCommands::synchronizeCache);
    }

    /** SBC-4 §5.20 READ CAPACITY (10): last LBA (or FFFFFFFFh when it does not fit) and block length. */
    static ScsiOutcome readCapacity10(LogicalUnit lu, ScsiTask task) {
        boolean pmi = task.cdb().bit(8, 0);
        if (!pmi && task.cdb().u32(2) != 0) { // SBC-4 §5.20.1: LBA must be zero when PMI is zero
            throw SenseException.invalidFieldInCdb(2);
        }
        long last = lu.blockCount() - 1;
        ByteBuffer b = ByteBuffer.allocate(8);
        b.putInt((int) Math.min(last, 0xFFFFFFFFL));
        b.putInt(lu.blockSize());
        b.flip();
        return ScsiOutcome.dataIn(b);
    }

    static ScsiOutcome serviceActionIn16(LogicalUnit lu, ScsiTask task) {
        int sa = task.cdb().u8(1) & 0x1F;
        if (sa != ScsiOpcode.SA_READ_CAPACITY_16) {
            throw SenseException.invalidFieldInCdb(1, 4);
        }
        return readCapacity16(lu, task);
    }

    /** SBC-4 §5.21 READ CAPACITY (16). */
    static ScsiOutcome readCapacity16(LogicalUnit lu, ScsiTask task) {
        int allocation = (int) Math.min(Integer.MAX_VALUE, task.cdb().u32(10));
        byte[] b = new byte[32];
        ByteBuffer bb = ByteBuffer.wrap(b);
        bb.putLong(0, lu.blockCount() - 1);
        bb.putInt(8, lu.blockSize());
        // byte 13: LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT 0; bytes 14-15: LBPME/LBPRZ clear
        return ScsiOutcome.dataIn(b, allocation);
    }

    /** SBC-4 §5.26/§5.27 SYNCHRONIZE CACHE (10)/(16): makes completed writes durable. */
    static CompletableFuture<ScsiOutcome> synchronizeCache(LogicalUnit lu, ScsiTask task) {
        boolean sixteen = task.cdb().opcode() == ScsiOpcode.SYNCHRONIZE_CACHE_16;
        long lba = sixteen ? task.cdb().u64(2) : task.cdb().u32(2);
        long blocks = sixteen ? task.cdb().u32(10) : task.cdb().u16(7);
        BlockRange.checkWithin(lu, lba, blocks);
        return lu.io(() -> {
            lu.store().flush();
            return ScsiOutcome.good();
        });
    }
}
