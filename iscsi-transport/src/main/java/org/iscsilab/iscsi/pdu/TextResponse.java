package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** Text Response (RFC 7143 §11.11). */
public record TextResponse(
        boolean finalFlag,
        boolean continueFlag,
        long lun,
        int initiatorTaskTag,
        int targetTransferTag,
        int statSn,
        int expCmdSn,
        int maxCmdSn,
        ByteBuf data)
        implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.TEXT_RESPONSE;
    }

    @Override
    public void writeBhs(ByteBuf h) {
        h.setByte(1, (finalFlag ? 0x80 : 0) | (continueFlag ? 0x40 : 0));
        h.setLong(8, lun);
        h.setInt(16, initiatorTaskTag);
        h.setInt(20, targetTransferTag);
        Bhs.setSequence(h, statSn, expCmdSn, maxCmdSn);
    }

    static TextResponse parse(ByteBuf h, ByteBuf data) {
        int f = Bhs.u8(h, 1);
        return new TextResponse(
                (f & 0x80) != 0,
                (f & 0x40) != 0,
                Bhs.i64(h, 8),
                Bhs.i32(h, 16),
                Bhs.i32(h, 20),
                Bhs.i32(h, 24),
                Bhs.i32(h, 28),
                Bhs.i32(h, 32),
                data);
    }
}
