package org.iscsilab.scsi;

import java.nio.ByteBuffer;

/**
 * CDBs for the commands a host needs most (SPC-5 / SBC-4 layouts; READ and WRITE from {@link
 * ReadWriteLayout}).
 */
public final class Cdbs {
    private Cdbs() {}

    public static byte[] testUnitReady() {
        return new byte[6];
    }

    public static byte[] inquiry(boolean evpd, int page, int allocation) {
        return new byte[] {
            ScsiOpcode.INQUIRY,
            (byte) (evpd ? 1 : 0),
            (byte) page,
            (byte) (allocation >> 8),
            (byte) allocation,
            0
        };
    }

    public static byte[] readCapacity16(int allocation) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put(0, (byte) ScsiOpcode.SERVICE_ACTION_IN_16)
                .put(1, (byte) ScsiOpcode.SA_READ_CAPACITY_16);
        b.putInt(10, allocation);
        return b.array();
    }

    public static byte[] reportLuns(int allocation) {
        ByteBuffer b = ByteBuffer.allocate(12);
        b.put(0, (byte) ScsiOpcode.REPORT_LUNS).putInt(6, allocation);
        return b.array();
    }

    public static byte[] read10(long lba, int blocks) {
        return rw10(ScsiOpcode.READ_10, lba, blocks, false);
    }

    public static byte[] write10(long lba, int blocks, boolean fua) {
        return rw10(ScsiOpcode.WRITE_10, lba, blocks, fua);
    }

    private static byte[] rw10(int op, long lba, int blocks, boolean fua) {
        return ReadWriteLayout.RW10.encode(op, lba, blocks, fua);
    }

    public static byte[] read16(long lba, int blocks) {
        return rw16(ScsiOpcode.READ_16, lba, blocks, false);
    }

    public static byte[] write16(long lba, int blocks, boolean fua) {
        return rw16(ScsiOpcode.WRITE_16, lba, blocks, fua);
    }

    private static byte[] rw16(int op, long lba, int blocks, boolean fua) {
        return ReadWriteLayout.RW16.encode(op, lba, Integer.toUnsignedLong(blocks), fua);
    }

    public static byte[] synchronizeCache10() {
        return new byte[] {ScsiOpcode.SYNCHRONIZE_CACHE_10, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    }

    /** SYNCHRONIZE CACHE(16) of the whole medium (SBC-4 §5.26: LBA 0, 0 blocks). */
    public static byte[] synchronizeCache16() {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) ScsiOpcode.SYNCHRONIZE_CACHE_16;
        return cdb;
    }

    /** UNMAP with a parameter list of {@code parameterLength} bytes (SBC-4 §5.30). */
    public static byte[] unmap(int parameterLength) {
        byte[] cdb = new byte[10];
        cdb[0] = (byte) ScsiOpcode.UNMAP;
        cdb[7] = (byte) (parameterLength >>> 8);
        cdb[8] = (byte) parameterLength;
        return cdb;
    }

    /** UNMAP's parameter list with one block descriptor (SBC-4 §5.30.2). */
    public static byte[] unmapParameters(long lba, int blocks) {
        ByteBuffer b = ByteBuffer.allocate(24);
        b.putShort((short) 22); // UNMAP DATA LENGTH: the bytes after this field
        b.putShort((short) 16); // UNMAP BLOCK DESCRIPTOR DATA LENGTH
        b.putInt(0);
        b.putLong(lba);
        b.putInt(blocks);
        b.putInt(0);
        return b.array();
    }

    public static byte[] modeSense6(int page, int allocation) {
        return new byte[] {ScsiOpcode.MODE_SENSE_6, 0x08, (byte) page, 0, (byte) allocation, 0};
    }

    /**
     * MODE SELECT(6) with PF set and SP clear (SPC-5 §6.13): {@code length} bytes of parameter list
     * (a header and pages in the page format) follow as Data-Out.
     */
    public static byte[] modeSelect6(int length) {
        return new byte[] {ScsiOpcode.MODE_SELECT_6, 0x10, 0, 0, (byte) length, 0};
    }

    /** REPORT TARGET PORT GROUPS (SPC-5 §6.38) in the extended format, {@code allocation} bytes. */
    public static byte[] reportTargetPortGroups(int allocation) {
        return new byte[] {
            (byte) ScsiOpcode.MAINTENANCE_IN,
            (byte) (0x20 | ScsiOpcode.SA_REPORT_TARGET_PORT_GROUPS),
            0,
            0,
            0,
            0,
            (byte) (allocation >>> 24),
            (byte) (allocation >>> 16),
            (byte) (allocation >>> 8),
            (byte) allocation,
            0,
            0
        };
    }
}
