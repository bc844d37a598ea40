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

    /** The F bit (byte 1, bit 7): the final PDU of a sequence. */
    public static boolean finalBit(ByteBuf h) {
        return (u8(h, 1) & FINAL) != 0;
    }

    /** Initiator Task Tag (bytes 16-19). */
    public static int initiatorTaskTag(ByteBuf h) {
        return i32(h, 16);
    }

    /** Target Transfer Tag (bytes 20-23) of Data-Out, Data-In, R2T, NOP and Text PDUs. */
    public static int targetTransferTag(ByteBuf h) {
        return i32(h, 20);
    }

    /**
     * Bytes 24-27: the CmdSN of a PDU the initiator sends, the StatSN of one the target sends (RFC
     * 7143 §11.2).
     */
    public static int commandOrStatusSn(ByteBuf h) {
        return i32(h, 24);
    }

    /** DataSN of Data-In and Data-Out, R2TSN of an R2T (bytes 36-39, §11.7.5, §11.8.5). */
    public static int dataSn(ByteBuf h) {
        return i32(h, 36);
    }

    /** Buffer Offset of Data-In and Data-Out, R2T's as well (bytes 40-43, §11.7.6). */
    public static int bufferOffset(ByteBuf h) {
        return i32(h, 40);
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
