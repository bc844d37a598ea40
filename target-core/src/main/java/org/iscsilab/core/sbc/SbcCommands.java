package org.iscsilab.core.sbc;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.core.lu.CommandDescriptor;
import org.iscsilab.core.lu.CommandHandler;
import org.iscsilab.core.lu.CommandSet;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseException;

/** Block commands (SBC-4) of a direct-access logical unit. */
public final class SbcCommands {
    private SbcCommands() {}

    /** Registers each command with its CDB usage data (SBC-4 CDB layouts; DPO and FUA honoured). */
    public static void registerInto(CommandSet set) {
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.READ_6, "READ(6)", "08 1f ff ff ff 00", BlockIo::read));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.READ_10,
                        "READ(10)",
                        "28 18 ff ff ff ff 00 ff ff 00",
                        BlockIo::read));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.READ_12,
                        "READ(12)",
                        "a8 18 ff ff ff ff ff ff ff ff 00 00",
                        BlockIo::read));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.READ_16,
                        "READ(16)",
                        "88 18 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        BlockIo::read));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.WRITE_6, "WRITE(6)", "0a 1f ff ff ff 00", BlockIo::write));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.WRITE_10,
                        "WRITE(10)",
                        "2a 18 ff ff ff ff 00 ff ff 00",
                        BlockIo::write));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.WRITE_12,
                        "WRITE(12)",
                        "aa 18 ff ff ff ff ff ff ff ff 00 00",
                        BlockIo::write));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.WRITE_16,
                        "WRITE(16)",
                        "8a 18 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        BlockIo::write));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.READ_CAPACITY_10,
                        "READ CAPACITY(10)",
                        "25 00 ff ff ff ff 00 00 01 00",
                        CommandHandler.immediate(SbcCommands::readCapacity10)));
        set.add(
                CommandDescriptor.withServiceAction(
                        ScsiOpcode.SERVICE_ACTION_IN_16,
                        ScsiOpcode.SA_READ_CAPACITY_16,
                        "READ CAPACITY(16)",
                        "9e 10 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        CommandHandler.immediate(SbcCommands::readCapacity16)));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.SYNCHRONIZE_CACHE_10,
                        "SYNCHRONIZE CACHE(10)",
                        "35 02 ff ff ff ff 00 ff ff 00",
                        SbcCommands::synchronizeCache));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.SYNCHRONIZE_CACHE_16,
                        "SYNCHRONIZE CACHE(16)",
                        "91 02 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        SbcCommands::synchronizeCache));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.VERIFY_10,
                        "VERIFY(10)",
                        "2f 16 ff ff ff ff 00 ff ff 00",
                        VerifyCommands::verify));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.VERIFY_12,
                        "VERIFY(12)",
                        "af 16 ff ff ff ff ff ff ff ff 00 00",
                        VerifyCommands::verify));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.VERIFY_16,
                        "VERIFY(16)",
                        "8f 16 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        VerifyCommands::verify));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.WRITE_AND_VERIFY_10,
                        "WRITE AND VERIFY(10)",
                        "2e 12 ff ff ff ff 00 ff ff 00",
                        VerifyCommands::writeAndVerify));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.WRITE_AND_VERIFY_12,
                        "WRITE AND VERIFY(12)",
                        "ae 12 ff ff ff ff ff ff ff ff 00 00",
                        VerifyCommands::writeAndVerify));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.WRITE_AND_VERIFY_16,
                        "WRITE AND VERIFY(16)",
                        "8e 12 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        VerifyCommands::writeAndVerify));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.PRE_FETCH_10,
                        "PRE-FETCH(10)",
                        "34 02 ff ff ff ff 00 ff ff 00",
                        CommandHandler.immediate(VerifyCommands::preFetch)));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.PRE_FETCH_16,
                        "PRE-FETCH(16)",
                        "90 02 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        CommandHandler.immediate(VerifyCommands::preFetch)));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.COMPARE_AND_WRITE,
                        "COMPARE AND WRITE",
                        "89 18 ff ff ff ff ff ff ff ff 00 00 00 ff 00 00",
                        AtomicWrites::compareAndWrite));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.ORWRITE_16,
                        "ORWRITE(16)",
                        "8b 18 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        AtomicWrites::orWrite));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.WRITE_SAME_10,
                        "WRITE SAME(10)",
                        "41 08 ff ff ff ff 00 ff ff 00",
                        ThinProvisioning::writeSame));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.WRITE_SAME_16,
                        "WRITE SAME(16)",
                        "93 09 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        ThinProvisioning::writeSame));
        set.add(
                CommandDescriptor.withServiceAction(
                        ScsiOpcode.SERVICE_ACTION_IN_16,
                        ScsiOpcode.SA_GET_LBA_STATUS,
                        "GET LBA STATUS",
                        "9e 12 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        CommandHandler.immediate(ThinProvisioning::getLbaStatus)));
        Sanitize.registerInto(set);
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.FORMAT_UNIT,
                        "FORMAT UNIT",
                        "04 3f 00 00 00 00",
                        FormatUnit::execute));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.WRITE_ATOMIC_16,
                        "WRITE ATOMIC(16)",
                        "9c 18 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        AtomicWrites::writeAtomic));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.READ_DEFECT_DATA_10,
                        "READ DEFECT DATA(10)",
                        "37 00 1f 00 00 00 00 ff ff 00",
                        CommandHandler.immediate(SbcCommands::readDefectData)));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.READ_DEFECT_DATA_12,
                        "READ DEFECT DATA(12)",
                        "b7 1f 00 00 00 00 ff ff ff ff 00 00",
                        CommandHandler.immediate(SbcCommands::readDefectData)));
    }

    /**
     * SBC-4 §5.19/§5.20 READ DEFECT DATA: an emulated medium has no defects, so the lists asked for
     * are valid and empty, in the format asked for.
     */
    static ScsiOutcome readDefectData(LogicalUnit lu, ScsiTask task) {
        boolean twelve = task.cdb().opcode() == ScsiOpcode.READ_DEFECT_DATA_12;
        int flags = twelve ? task.cdb().u8(1) : task.cdb().u8(2);
        int allocation =
                twelve ? (int) Math.min(Integer.MAX_VALUE, task.cdb().u32(6)) : task.cdb().u16(7);
        int format = flags & 0x07;
        if (format == 0b111 || format == 0b010 || format == 0b011) { // reserved formats
            throw SenseException.invalidFieldInCdb(twelve ? 1 : 2, 2);
        }
        // PLISTV/GLISTV say which lists the (empty) answer covers
        int header = (flags & 0x18) | format;
        byte[] b = new byte[twelve ? 8 : 4];
        b[1] = (byte) header;
        return ScsiOutcome.dataIn(b, allocation);
    }

    /** Thin-provisioning commands, only on thin units (SBC-4 §4.7). */
    public static void registerThinInto(CommandSet set) {
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.UNMAP,
                        "UNMAP",
                        "42 00 00 00 00 00 00 ff ff 00",
                        ThinProvisioning::unmap));
    }

    /**
     * SBC-4 §5.20 READ CAPACITY (10): last LBA (or FFFFFFFFh when it does not fit) and block
     * length.
     */
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

    /** SBC-4 §5.21 READ CAPACITY (16). */
    static ScsiOutcome readCapacity16(LogicalUnit lu, ScsiTask task) {
        int allocation = (int) Math.min(Integer.MAX_VALUE, task.cdb().u32(10));
        byte[] b = new byte[32];
        ByteBuffer bb = ByteBuffer.wrap(b);
        bb.putLong(0, lu.blockCount() - 1);
        bb.putInt(8, lu.blockSize());
        b[13] = (byte) lu.format().logicalBlocksPerPhysicalBlockExponent();
        if (lu.thin()) {
            b[14] = (byte) 0xC0; // LBPME, LBPRZ: thin, unmapped blocks read as zeros
        }
        return ScsiOutcome.dataIn(b, allocation);
    }

    /** SBC-4 §5.26/§5.27 SYNCHRONIZE CACHE (10)/(16): makes completed writes durable. */
    static CompletableFuture<ScsiOutcome> synchronizeCache(LogicalUnit lu, ScsiTask task) {
        boolean sixteen = task.cdb().opcode() == ScsiOpcode.SYNCHRONIZE_CACHE_16;
        long lba = sixteen ? task.cdb().u64(2) : task.cdb().u32(2);
        long blocks = sixteen ? task.cdb().u32(10) : task.cdb().u16(7);
        BlockRange.checkWithin(lu, lba, blocks);
        return lu.flush().thenApply(v -> ScsiOutcome.good());
    }
}
