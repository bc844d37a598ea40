package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** Field helpers for a 48-byte Basic Header Segment (RFC 7143 §11.2.1). */
public final class Bhs {
    public static final int FINAL = 0x80;

    private Bhs() {}

    /**
     * StatSN, ExpCmdSN and MaxCmdSN at bytes 24-35, where every target PDU keeps them (RFC 7143
     * §11.2).
     */
    public static void setSequence(ByteBuf h, int statSn, int expCmdSn, int maxCmdSn) {
        h.setInt(24, statSn);
        h.setInt(28, expCmdSn);
        h.setInt(32, maxCmdSn);
    }

    public static int opcodeCode(ByteBuf h) {
        return h.getUnsignedByte(h.readerIndex()) & 0x3F;
    }

    public static boolean immediate(ByteBuf h) {
        return (h.getUnsignedByte(h.readerIndex()) & 0x40) != 0;
    }

    public static int u8(ByteBuf h, int offset) {
        return h.getUnsignedByte(h.readerIndex() + offset);
    }

    public static int u16(ByteBuf h, int offset) {
        return h.getUnsignedShort(h.readerIndex() + offset);
    }

    public static int i32(ByteBuf h, int offset) {
        return h.getInt(h.readerIndex() + offset);
    }

    public static long i64(ByteBuf h, int offset) {
        return h.getLong(h.readerIndex() + offset);
    }

    /** TotalAHSLength in bytes (byte 4 counts 4-byte words). */
    public static int totalAhsLength(ByteBuf h) {
        return u8(h, 4) * 4;
    }

    /** DataSegmentLength (bytes 5-7). */
    public static int dataSegmentLength(ByteBuf h) {
        return h.getUnsignedMedium(h.readerIndex() + 5);
    }

    public static byte[] bytes(ByteBuf h, int offset, int length) {
        byte[] b = new byte[length];
        h.getBytes(h.readerIndex() + offset, b);
        return b;
    }
}
