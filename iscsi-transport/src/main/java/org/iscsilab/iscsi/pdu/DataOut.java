package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** SCSI Data-Out (RFC 7143 §11.7). */
public record DataOut(
        boolean finalFlag,
        long lun,
        int initiatorTaskTag,
        int targetTransferTag,
        int expStatSn,
        int dataSn,
        int bufferOffset,
        ByteBuf data)
        implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.DATA_OUT;
    }

    @Override
    public void writeBhs(ByteBuf h) {
        h.setByte(1, finalFlag ? 0x80 : 0);
        h.setLong(8, lun);
        h.setInt(16, initiatorTaskTag);
        h.setInt(20, targetTransferTag);
        h.setInt(28, expStatSn);
        h.setInt(36, dataSn);
        h.setInt(40, bufferOffset);
    }

    static DataOut parse(ByteBuf h, ByteBuf data) {
        return new DataOut(
                (Bhs.u8(h, 1) & 0x80) != 0,
                Bhs.i64(h, 8),
                Bhs.i32(h, 16),
                Bhs.i32(h, 20),
                Bhs.i32(h, 28),
                Bhs.i32(h, 36),
                Bhs.i32(h, 40),
                data);
    }
}
