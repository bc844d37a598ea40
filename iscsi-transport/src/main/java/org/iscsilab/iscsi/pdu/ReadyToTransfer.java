package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Ready To Transfer, R2T (RFC 7143 §11.8). */
public record ReadyToTransfer(
        long lun,
        int initiatorTaskTag,
        int targetTransferTag,
        int statSn,
        int expCmdSn,
        int maxCmdSn,
        int r2tSn,
        int bufferOffset,
        int desiredDataTransferLength)
        implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.READY_TO_TRANSFER;
    }

    @Override
    public ByteBuf data() {
        return Unpooled.EMPTY_BUFFER;
    }

    @Override
    public void writeBhs(ByteBuf h) {
        h.setByte(1, 0x80);
        h.setLong(8, lun);
        h.setInt(16, initiatorTaskTag);
        h.setInt(20, targetTransferTag);
        Bhs.setSequence(h, statSn, expCmdSn, maxCmdSn);
        h.setInt(36, r2tSn);
        h.setInt(40, bufferOffset);
        h.setInt(44, desiredDataTransferLength);
    }

    static ReadyToTransfer parse(ByteBuf h, ByteBuf data) {
        data.release();
        return new ReadyToTransfer(
                Bhs.i64(h, 8),
                Bhs.i32(h, 16),
                Bhs.i32(h, 20),
                Bhs.i32(h, 24),
                Bhs.i32(h, 28),
                Bhs.i32(h, 32),
                Bhs.i32(h, 36),
                Bhs.i32(h, 40),
                Bhs.i32(h, 44));
    }
}
