package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** NOP-Out (RFC 7143 §11.18): a ping from the initiator, or its answer to a target's NOP-In. */
public record NopOut(
        boolean immediate,
        long lun,
        int initiatorTaskTag,
        int targetTransferTag,
        int cmdSn,
        int expStatSn,
        ByteBuf data)
        implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.NOP_OUT;
    }

    @Override
    public void writeBhs(ByteBuf h) {
        h.setByte(1, Bhs.FINAL);
        h.setLong(8, lun);
        h.setInt(16, initiatorTaskTag);
        h.setInt(20, targetTransferTag);
        h.setInt(24, cmdSn);
        h.setInt(28, expStatSn);
    }

    static NopOut parse(ByteBuf h, ByteBuf data) {
        return new NopOut(
                Bhs.immediate(h),
                Bhs.i64(h, 8),
                Bhs.i32(h, 16),
                Bhs.i32(h, 20),
                Bhs.i32(h, 24),
                Bhs.i32(h, 28),
                data);
    }
}
