package org.iscsilab.core.spc;

import java.nio.charset.StandardCharsets;
import org.iscsilab.core.alua.Alua;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.LogicalUnitIdentity;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.scsi.SenseException;

/** SPC-5 §6.7 INQUIRY: standard data and the vital product data pages of {@link VpdPages}. */
public final class Inquiry {
    /** SPC-5 §6.7.2: version descriptors we claim (SAM-5, iSCSI, SPC-4, SBC-3). */
    private static final int[] VERSION_DESCRIPTORS = {0x00A0, 0x0960, 0x0460, 0x04C0};

    static final int STANDARD_LENGTH = 66;

    private Inquiry() {}

    static ScsiOutcome execute(LogicalUnit lu, ScsiTask task) {
        boolean evpd = task.cdb().bit(1, 0);
        if (task.cdb().bit(1, 1)) { // CmdDt is obsolete (SPC-5 §6.7.1)
            throw SenseException.invalidFieldInCdb(1, 1);
        }
        int pageCode = task.cdb().u8(2);
        int allocation = task.cdb().u16(3);
        if (!evpd) {
            if (pageCode != 0) { // SPC-5 §6.7.1: PAGE CODE must be zero when EVPD is zero
                throw SenseException.invalidFieldInCdb(2);
            }
            return ScsiOutcome.dataIn(standardData(0x00, lu), allocation);
        }
        return ScsiOutcome.dataIn(VpdPages.page(lu, pageCode, task), allocation);
    }

    /** Standard INQUIRY data with the given peripheral qualifier and device type byte. */
    public static byte[] standardData(int peripheral, LogicalUnit lu) {
        byte[] b = new byte[STANDARD_LENGTH];
        b[0] = (byte) peripheral;
        b[1] = (byte) (lu != null && lu.removable() ? 0x80 : 0); // RMB
        b[2] = 0x06; // VERSION: SPC-4
        b[3] = 0x12; // HISUP, RESPONSE DATA FORMAT 2
        b[4] = (byte) (STANDARD_LENGTH - 5);
        Alua alua = lu != null ? lu.alua() : null;
        b[5] = (byte) (alua == null ? 0 : alua.mode().tpgs() << 4); // TPGS (SPC-5 §6.7.2)
        b[7] = 0x02; // CMDQUE: full task management model
        String vendor = lu != null ? lu.identity().vendor() : LogicalUnitIdentity.VENDOR;
        String product = lu != null ? lu.identity().product() : LogicalUnitIdentity.PRODUCT;
        String revision = lu != null ? lu.identity().revision() : LogicalUnitIdentity.REVISION;
        putPadded(b, 8, 8, vendor);
        putPadded(b, 16, 16, product);
        putPadded(b, 32, 4, revision);
        for (int i = 0; i < VERSION_DESCRIPTORS.length; i++) {
            b[58 + 2 * i] = (byte) (VERSION_DESCRIPTORS[i] >> 8);
            b[59 + 2 * i] = (byte) VERSION_DESCRIPTORS[i];
        }
        return b;
    }

    /** Left-aligned ASCII padded with spaces (SPC-5 §4.3.1). */
    static void putPadded(byte[] b, int offset, int width, String s) {
        byte[] ascii = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < width; i++) {
            b[offset + i] = i < ascii.length ? ascii[i] : (byte) ' ';
        }
    }
}
