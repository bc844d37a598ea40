package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;

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
