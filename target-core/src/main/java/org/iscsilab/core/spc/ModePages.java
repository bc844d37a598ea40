package org.iscsilab.core.spc;

import java.io.ByteArrayOutputStream;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.scsi.SenseException;

/**
 * The mode pages a logical unit reports: read-write error recovery (SBC-4 §6.5.9), caching (SBC-4
 * §6.5.5) and control (SPC-5 §7.5.9), in current, changeable or default form.
 */
public final class ModePages {
    public static final int READ_WRITE_ERROR_RECOVERY = 0x01;
    public static final int CACHING = 0x08;
    public static final int CONTROL = 0x0A;
    public static final int ALL_PAGES = 0x3F;
    static final int PC_CURRENT = 0;
    static final int PC_CHANGEABLE = 1;
    static final int PC_DEFAULT = 2;

    private ModePages() {}

    static byte[] pages(LogicalUnit lu, int page, int subpage, int pc) {
        if (page == ALL_PAGES) {
            if (subpage != 0 && subpage != 0xFF) {
                throw SenseException.invalidFieldInCdb(3);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(readWriteErrorRecovery(pc));
            out.writeBytes(caching(lu, pc));
            out.writeBytes(control(lu, pc));
            return out.toByteArray();
        }
        if (subpage != 0) {
            throw SenseException.invalidFieldInCdb(3);
        }
        return switch (page) {
            case READ_WRITE_ERROR_RECOVERY -> readWriteErrorRecovery(pc);
            case CACHING -> caching(lu, pc);
            case CONTROL -> control(lu, pc);
            default -> throw SenseException.invalidFieldInCdb(2);
        };
    }

    static byte[] readWriteErrorRecovery(int pc) {
        byte[] p = new byte[12];
        p[0] = READ_WRITE_ERROR_RECOVERY;
        p[1] = 10;
        if (pc != PC_CHANGEABLE) {
            p[2] = (byte) 0xC0; // AWRE, ARRE: automatic reallocation
        }
        return p;
    }

    static byte[] caching(LogicalUnit lu, int pc) {
        byte[] p = new byte[20];
        p[0] = CACHING;
        p[1] = 18;
        switch (pc) {
            case PC_CHANGEABLE -> p[2] = 0x04; // WCE is changeable
            case PC_DEFAULT -> p[2] = 0x04; // write cache on by default
            default -> p[2] = (byte) (lu.writeCacheEnabled() ? 0x04 : 0);
        }
        return p;
    }

    static byte[] control(LogicalUnit lu, int pc) {
        byte[] p = new byte[12];
        p[0] = CONTROL;
        p[1] = 10;
        if (pc == PC_CHANGEABLE) {
            p[2] = 0x04; // D_SENSE is changeable
            p[4] = 0x08; // SWP is changeable
            return p;
        }
        p[2] = (byte) (pc == PC_CURRENT && lu.descriptorSense() ? 0x04 : 0);
        p[4] =
                (byte)
                        (pc == PC_CURRENT && lu.softwareWriteProtect()
                                ? 0x08
                                : 0); // SWP (SPC-5 §7.5.9)
        p[3] = 0x10; // QUEUE ALGORITHM MODIFIER 1: unrestricted reordering
        p[8] = (byte) 0xFF; // BUSY TIMEOUT PERIOD: unlimited
        p[9] = (byte) 0xFF;
        return p;
    }
}
