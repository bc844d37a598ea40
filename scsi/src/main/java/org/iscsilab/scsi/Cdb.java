package org.iscsilab.scsi;

import java.util.Arrays;
import java.util.HexFormat;

/** A command descriptor block (SPC-5 §4.2): immutable bytes with big-endian field accessors. */
public final class Cdb {
    private final byte[] bytes;

    public Cdb(byte[] bytes) {
        this(bytes, true);
    }

    private Cdb(byte[] bytes, boolean copy) {
        if (bytes.length < 6) {
            throw new IllegalArgumentException("a CDB has at least 6 bytes, got " + bytes.length);
        }
        this.bytes = copy ? bytes.clone() : bytes;
    }

    /**
     * A CDB over {@code bytes} without copying them, for a transport that decoded the array for
     * this command alone: the caller hands the array over and never changes it afterwards.
     */
    public static Cdb adopting(byte[] bytes) {
        return new Cdb(bytes, false);
    }

    public static Cdb of(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return new Cdb(b);
    }

    public int opcode() {
        return bytes[0] & 0xFF;
    }

    /**
     * Length of the CDB from its group code (SPC-5 §4.2.5.1); variable length and vendor groups use
     * the buffer.
     */
    public static int lengthForOpcode(int opcode) {
        return switch (opcode >> 5) {
            case 0 -> 6;
            case 1, 2 -> 10;
            case 4 -> 16;
            case 5 -> 12;
            default -> 16;
        };
    }

    public int length() {
        return bytes.length;
    }

    public int u8(int offset) {
        return offset < bytes.length ? bytes[offset] & 0xFF : 0;
    }

    public boolean bit(int offset, int bit) {
        return (u8(offset) & (1 << bit)) != 0;
    }

    public int u16(int offset) {
        return (u8(offset) << 8) | u8(offset + 1);
    }

    public int u24(int offset) {
        return (u8(offset) << 16) | (u8(offset + 1) << 8) | u8(offset + 2);
    }

    public long u32(int offset) {
        return ((long) u8(offset) << 24)
                | (u8(offset + 1) << 16)
                | (u8(offset + 2) << 8)
                | u8(offset + 3);
    }

    public long u64(int offset) {
        return (u32(offset) << 32) | u32(offset + 4);
    }

    /** CONTROL byte, the last byte of the CDB (SAM-5 §5.2). */
    public int control() {
        return u8(lengthForOpcode(opcode()) - 1);
    }

    public byte[] toByteArray() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cdb c && Arrays.equals(bytes, c.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of()
                .formatHex(bytes, 0, Math.min(bytes.length, lengthForOpcode(opcode())));
    }
}
