package org.iscsilab.scsi;

/**
 * Where the fields of a READ or WRITE CDB lie (SBC-4 §5.14-§5.18, §5.38-§5.42): the LOGICAL BLOCK
 * ADDRESS, the TRANSFER LENGTH, FUA and RDPROTECT/WRPROTECT. Initiators build CDBs from it and the
 * target reads them with it: the layouts are written once.
 */
public enum ReadWriteLayout {
    /**
     * READ(6) and WRITE(6): a 21-bit LBA, an 8-bit length where 0 means 256 (SBC-4 §5.15), no
     * flags.
     */
    RW6(6, 1, 3, 4, 1),
    RW10(10, 2, 4, 7, 2),
    RW12(12, 2, 4, 6, 4),
    RW16(16, 2, 8, 10, 4);

    private static final int FUA_BIT = 3;
    private static final long LBA6_MASK = 0x1F_FFFFL;

    private final int length;
    private final int lbaOffset;
    private final int lbaBytes;
    private final int lengthOffset;
    private final int lengthBytes;

    ReadWriteLayout(int length, int lbaOffset, int lbaBytes, int lengthOffset, int lengthBytes) {
        this.length = length;
        this.lbaOffset = lbaOffset;
        this.lbaBytes = lbaBytes;
        this.lengthOffset = lengthOffset;
        this.lengthBytes = lengthBytes;
    }

    /** The layout of a READ or WRITE opcode. */
    public static ReadWriteLayout of(int opcode) {
        return switch (opcode) {
            case ScsiOpcode.READ_6, ScsiOpcode.WRITE_6 -> RW6;
            case ScsiOpcode.READ_10, ScsiOpcode.WRITE_10 -> RW10;
            case ScsiOpcode.READ_12, ScsiOpcode.WRITE_12 -> RW12;
            case ScsiOpcode.READ_16, ScsiOpcode.WRITE_16 -> RW16;
            default ->
                    throw new IllegalArgumentException(
                            String.format("0x%02x is not a READ or WRITE", opcode));
        };
    }

    /**
     * Offset of the TRANSFER LENGTH field, for the sense-key specific field pointer of an error in
     * it.
     */
    public int transferLengthOffset() {
        return lengthOffset;
    }

    public long lba(Cdb cdb) {
        long v = read(cdb, lbaOffset, lbaBytes);
        return this == RW6 ? v & LBA6_MASK : v;
    }

    /** TRANSFER LENGTH in logical blocks (256 for a 6-byte CDB's 0). */
    public long transferLength(Cdb cdb) {
        long v = read(cdb, lengthOffset, lengthBytes);
        return this == RW6 && v == 0 ? 256 : v;
    }

    /** FUA (force unit access); a 6-byte CDB has none. */
    public boolean fua(Cdb cdb) {
        return this != RW6 && cdb.bit(1, FUA_BIT);
    }

    /** RDPROTECT or WRPROTECT; a 6-byte CDB has none. */
    public int protect(Cdb cdb) {
        return this == RW6 ? 0 : cdb.u8(1) >> 5;
    }

    /** A CDB of this layout. */
    public byte[] encode(int opcode, long lba, long blocks, boolean fua) {
        if (of(opcode) != this) {
            throw new IllegalArgumentException(
                    String.format("0x%02x is not a %d-byte READ or WRITE", opcode, length));
        }
        long max = (1L << (8 * lengthBytes)) - 1;
        if (blocks < 0 || blocks > (this == RW6 ? 256 : max)) {
            throw new IllegalArgumentException(
                    blocks + " blocks do not fit a " + length + "-byte CDB");
        }
        if (this == RW6 && ((lba & ~LBA6_MASK) != 0 || fua)) {
            throw new IllegalArgumentException("a 6-byte CDB takes a 21-bit LBA and no FUA");
        }
        byte[] b = new byte[length];
        b[0] = (byte) opcode;
        if (fua) {
            b[1] |= 1 << FUA_BIT;
        }
        write(b, lbaOffset, lbaBytes, lba);
        write(b, lengthOffset, lengthBytes, this == RW6 && blocks == 256 ? 0 : blocks);
        return b;
    }

    private static long read(Cdb cdb, int offset, int bytes) {
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v = (v << 8) | cdb.u8(offset + i);
        }
        return v;
    }

    private static void write(byte[] b, int offset, int bytes, long value) {
        for (int i = bytes - 1; i >= 0; i--) {
            b[offset + i] |= (byte) value;
            value >>>= 8;
        }
    }
}
