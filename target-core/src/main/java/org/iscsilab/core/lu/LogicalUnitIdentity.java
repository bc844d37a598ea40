package org.iscsilab.core.lu;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * What a logical unit says about itself in INQUIRY (SPC-5 §6.7): vendor, product, revision, unit
 * serial number (VPD 80h) and the 60-bit value of its NAA locally assigned designator (VPD 83h, NAA
 * 3h: we are an emulator, not an IEEE-registered vendor).
 */
public record LogicalUnitIdentity(
        String vendor, String product, String revision, String serial, long naaValue) {
    public static final String VENDOR = "ISCSILAB";
    public static final String PRODUCT = "EMULATED DISK";
    public static final String REVISION = "0001";

    public LogicalUnitIdentity {
        requireAscii("vendor", vendor, 8);
        requireAscii("product", product, 16);
        requireAscii("revision", revision, 4);
        requireAscii("serial", serial, 64);
    }

    /** A stable identity derived from the target name and LUN, so it survives restarts. */
    public static LogicalUnitIdentity derive(String targetName, int lun) {
        byte[] h;
        try {
            h =
                    MessageDigest.getInstance("SHA-256")
                            .digest((targetName + "/" + lun).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (h[i] & 0xFF);
        }
        long naa = v & 0x0FFF_FFFF_FFFF_FFFFL;
        String serial = String.format("%016x", naa);
        return new LogicalUnitIdentity(VENDOR, PRODUCT, REVISION, serial, naa);
    }

    /**
     * The logical unit's designators (SPC-5 §7.8.6): an NAA 3h locally assigned designator and a
     * T10 vendor ID designator (vendor padded to 8 bytes, then the serial number).
     */
    public List<Designator> designators() {
        byte[] naa =
                ByteBuffer.allocate(8)
                        .putLong((0x3L << 60) | (naaValue & 0x0FFF_FFFF_FFFF_FFFFL))
                        .array();
        StringBuilder vendorId = new StringBuilder(vendor);
        while (vendorId.length() < 8) {
            vendorId.append(' ');
        }
        byte[] t10 = (vendorId + serial).getBytes(StandardCharsets.US_ASCII);
        return List.of(
                new Designator(
                        Designator.CODE_SET_BINARY,
                        Designator.ASSOCIATION_LOGICAL_UNIT,
                        Designator.TYPE_NAA,
                        naa),
                new Designator(
                        Designator.CODE_SET_ASCII,
                        Designator.ASSOCIATION_LOGICAL_UNIT,
                        Designator.TYPE_T10_VENDOR_ID,
                        t10));
    }

    private static void requireAscii(String field, String value, int max) {
        if (value == null || value.isEmpty() || value.length() > max) {
            throw new IllegalArgumentException(field + " must be 1 to " + max + " characters");
        }
        for (char c : value.toCharArray()) {
            if (c < 0x20 || c > 0x7E) {
                throw new IllegalArgumentException(
                        field + " must be printable ASCII (SPC-5 §4.3.1)");
            }
        }
    }
}
