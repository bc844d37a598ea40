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
    /**
     * An R2T asking for {@code length} bytes of the task's data at {@code bufferOffset} (RFC 7143
     * §11.8), numbered {@code r2tSn} among the task's R2Ts and tagged {@code ttt} for its Data-Out;
     * StatSN is the connection's next, which an R2T does not advance (§11.8.3).
     */
    public static ReadyToTransfer soliciting(
            long lun,
            int itt,
            int ttt,
            int r2tSn,
            int bufferOffset,
            int length,
            int statSn,
            int expCmdSn,
            int maxCmdSn) {
        return new ReadyToTransfer(
                lun, itt, ttt, statSn, expCmdSn, maxCmdSn, r2tSn, bufferOffset, length);
    }

    /**
     * This R2T with StatSN and the command window as they are now: what goes when it is sent again
     * (RFC 7143 §11.16.1), all other fields as they were.
     */
    public ReadyToTransfer withSequence(int statSn, int expCmdSn, int maxCmdSn) {
        return new ReadyToTransfer(
                lun,
                initiatorTaskTag,
                targetTransferTag,
                statSn,
                expCmdSn,
                maxCmdSn,
                r2tSn,
                bufferOffset,
                desiredDataTransferLength);
    }

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
