package org.iscsilab.core.spc;

import java.io.ByteArrayOutputStream;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseException;
import org.iscsilab.scsi.SenseKey;

/** SPC-5 §6.14/§6.15 MODE SENSE (6) and (10) with the pages of {@link ModePages}. */
final class ModeSense {
    private static final int PC_SAVED = 3;

    private ModeSense() {}

    static ScsiOutcome execute(LogicalUnit lu, ScsiTask task) {
        boolean ten = task.cdb().opcode() == ScsiOpcode.MODE_SENSE_10;
        boolean dbd = task.cdb().bit(1, 3);
        boolean llbaa = ten && task.cdb().bit(1, 4);
        int pc = task.cdb().u8(2) >> 6;
        int page = task.cdb().u8(2) & 0x3F;
        int subpage = task.cdb().u8(3);
        int allocation = ten ? task.cdb().u16(7) : task.cdb().u8(4);
        if (pc == PC_SAVED) { // SPC-5 §6.14.1: saved values not supported
            throw new SenseException(
                    SenseData.of(
                            SenseKey.ILLEGAL_REQUEST,
                            AdditionalSense.SAVING_PARAMETERS_NOT_SUPPORTED));
        }
        byte[] pages = ModePages.pages(lu, page, subpage, pc);

        byte[] descriptor = dbd ? new byte[0] : blockDescriptor(lu, llbaa);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int deviceSpecific = (lu.writeProtected() ? 0x80 : 0) | 0x10; // WP, DPOFUA (SBC-4 §6.5.2)
        if (ten) {
            int dataLength = 6 + descriptor.length + pages.length;
            out.write(dataLength >> 8);
            out.write(dataLength);
            out.write(0); // medium type
            out.write(deviceSpecific);
            out.write(llbaa ? 1 : 0);
            out.write(0);
            out.write(descriptor.length >> 8);
            out.write(descriptor.length);
        } else {
            out.write(3 + descriptor.length + pages.length);
            out.write(0);
            out.write(deviceSpecific);
            out.write(descriptor.length);
        }
        out.writeBytes(descriptor);
        out.writeBytes(pages);
        return ScsiOutcome.dataIn(out.toByteArray(), allocation);
    }

    /** SBC-4 §6.4.2: short (8-byte) or long LBA (16-byte) block descriptor. */
    private static byte[] blockDescriptor(LogicalUnit lu, boolean longLba) {
        long blocks = lu.blockCount();
        int bs = lu.blockSize();
        if (longLba) {
            byte[] d = new byte[16];
            for (int i = 0; i < 8; i++) {
                d[i] = (byte) (blocks >>> (56 - 8 * i));
            }
            d[12] = (byte) (bs >>> 24);
            d[13] = (byte) (bs >>> 16);
            d[14] = (byte) (bs >>> 8);
            d[15] = (byte) bs;
            return d;
        }
        long shown = blocks > 0xFFFFFFFFL ? 0xFFFFFFFFL : blocks;
        return new byte[] {
            (byte) (shown >>> 24),
            (byte) (shown >>> 16),
            (byte) (shown >>> 8),
            (byte) shown,
            0,
            (byte) (bs >>> 16),
            (byte) (bs >>> 8),
            (byte) bs
        };
    }
}
