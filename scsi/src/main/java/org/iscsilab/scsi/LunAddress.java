package org.iscsilab.scsi;

/**
 * The 8-byte LUN field (SAM-5 §4.7): peripheral device addressing for LUNs below 256, flat space
 * addressing up to 16383.
 */
public final class LunAddress {
    public static final int MAX_LUN = 16383;

    private LunAddress() {}

    public static long encode(int lun) {
        if (lun < 0 || lun > MAX_LUN) {
            throw new IllegalArgumentException("LUN must be 0.." + MAX_LUN);
        }
        if (lun < 256) {
            return ((long) lun) << 48;
        }
        return ((long) (0x4000 | lun)) << 48;
    }

    /** The LUN number, or -1 when the address uses a method this target does not implement. */
    public static int decode(long field) {
        int first = (int) (field >>> 48) & 0xFFFF;
        long rest = field & 0x0000_FFFF_FFFF_FFFFL;
        if (rest != 0) {
            return -1;
        }
        return switch (first >>> 14) {
            case 0 -> (first & 0x3F00) == 0 ? first & 0xFF : -1; // peripheral, bus 0
            case 1 -> first & 0x3FFF; // flat space
            default -> -1;
        };
    }
}
