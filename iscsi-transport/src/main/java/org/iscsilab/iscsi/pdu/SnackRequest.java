package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** SNACK Request (RFC 7143 §11.16); only meaningful at ErrorRecoveryLevel above 0. */
public record SnackRequest(
        int type,
        long lun,
        int initiatorTaskTag,
        int targetTransferTag,
        int expStatSn,
        int begRun,
        int runLength)
        implements Pdu {
    /** SNACK types (§11.16.1): Data-In or R2T, numbered responses, DataACK, R-Data. */
    public static final int DATA_R2T = 0;

    public static final int STATUS = 1;
    public static final int DATA_ACK = 2;
    public static final int R_DATA = 3;

    @Override
    public Opcode opcode() {
        return Opcode.SNACK_REQUEST;
    }

    @Override
    public ByteBuf data() {
        return Unpooled.EMPTY_BUFFER;
    }

    @Override
    public void writeBhs(ByteBuf h) {
        h.setByte(1, 0x80 | (type & 0x0F));
        h.setLong(8, lun);
        h.setInt(16, initiatorTaskTag);
        h.setInt(20, targetTransferTag);
        h.setInt(28, expStatSn);
        h.setInt(40, begRun);
        h.setInt(44, runLength);
    }

    static SnackRequest parse(ByteBuf h, ByteBuf data) {
        data.release();
        return new SnackRequest(
                Bhs.u8(h, 1) & 0x0F,
                Bhs.i64(h, 8),
                Bhs.i32(h, 16),
                Bhs.i32(h, 20),
                Bhs.i32(h, 28),
                Bhs.i32(h, 40),
                Bhs.i32(h, 44));
    }
}
