package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * NOP-In (RFC 7143 §11.19): the answer to a NOP-Out, or the target's own ping (TTT not reserved).
 */
public record NopIn(
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
        return Opcode.NOP_IN;
    }

    @Override
    public void writeBhs(ByteBuf h) {
        h.setByte(1, Bhs.FINAL);
        h.setLong(8, lun);
        h.setInt(16, initiatorTaskTag);
        h.setInt(20, targetTransferTag);
        Bhs.setSequence(h, statSn, expCmdSn, maxCmdSn);
    }

    static NopIn parse(ByteBuf h, ByteBuf data) {
        return new NopIn(
                Bhs.i64(h, 8),
                Bhs.i32(h, 16),
                Bhs.i32(h, 20),
                Bhs.i32(h, 24),
                Bhs.i32(h, 28),
                Bhs.i32(h, 32),
                data);
    }
}
