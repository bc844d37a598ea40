package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Text Request (RFC 7143 §11.10). */
public record TextRequest(
        boolean immediate,
        boolean finalFlag,
        boolean continueFlag,
        long lun,
        int initiatorTaskTag,
        int targetTransferTag,
        int cmdSn,
        int expStatSn,
        ByteBuf data)
        implements Pdu {
    /**
     * A non-immediate Text Request whose keys all fit in it (F set, C clear): the start of an
     * exchange, so with no target transfer tag (RFC 7143 §11.10).
     */
    public static TextRequest single(int itt, int cmdSn, int expStatSn, ByteBuf keys) {
        return new TextRequest(false, true, false, 0, itt, RESERVED_TAG, cmdSn, expStatSn, keys);
    }

    /**
     * An empty Text Request asking for the rest of a response the target continues (its C bit),
     * naming the target transfer tag the response gave (RFC 7143 §11.10, §11.11).
     */
    public static TextRequest askingForMore(int itt, int ttt, int cmdSn, int expStatSn) {
        return new TextRequest(
                false, true, false, 0, itt, ttt, cmdSn, expStatSn, Unpooled.EMPTY_BUFFER);
    }

    @Override
    public Opcode opcode() {
        return Opcode.TEXT_REQUEST;
    }

    @Override
    public void writeBhs(ByteBuf h) {
        h.setByte(1, (finalFlag ? 0x80 : 0) | (continueFlag ? 0x40 : 0));
        h.setLong(8, lun);
        h.setInt(16, initiatorTaskTag);
        h.setInt(20, targetTransferTag);
        h.setInt(24, cmdSn);
        h.setInt(28, expStatSn);
    }

    static TextRequest parse(ByteBuf h, ByteBuf data) {
        int f = Bhs.u8(h, 1);
        return new TextRequest(
                Bhs.immediate(h),
                (f & 0x80) != 0,
                (f & 0x40) != 0,
                Bhs.i64(h, 8),
                Bhs.i32(h, 16),
                Bhs.i32(h, 20),
                Bhs.i32(h, 24),
                Bhs.i32(h, 28),
                data);
    }
}
