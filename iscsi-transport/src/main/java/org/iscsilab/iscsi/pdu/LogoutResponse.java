package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Logout Response (RFC 7143 §11.15). */
public record LogoutResponse(
        int response,
        int initiatorTaskTag,
        int statSn,
        int expCmdSn,
        int maxCmdSn,
        int time2Wait,
        int time2Retain)
        implements Pdu {
    public static final int CLOSED_SUCCESSFULLY = 0;
    public static final int CID_NOT_FOUND = 1;
    public static final int RECOVERY_NOT_SUPPORTED = 2;
    public static final int CLEANUP_FAILED = 3;

    @Override
    public Opcode opcode() {
        return Opcode.LOGOUT_RESPONSE;
    }

    @Override
    public ByteBuf data() {
        return Unpooled.EMPTY_BUFFER;
    }

    @Override
    public void writeBhs(ByteBuf h) {
        h.setByte(1, 0x80);
        h.setByte(2, response);
        h.setInt(16, initiatorTaskTag);
        Bhs.setSequence(h, statSn, expCmdSn, maxCmdSn);
        h.setShort(40, time2Wait);
        h.setShort(42, time2Retain);
    }

    static LogoutResponse parse(ByteBuf h, ByteBuf data) {
        data.release();
        return new LogoutResponse(
                Bhs.u8(h, 2),
                Bhs.i32(h, 16),
                Bhs.i32(h, 24),
                Bhs.i32(h, 28),
                Bhs.i32(h, 32),
                Bhs.u16(h, 40),
                Bhs.u16(h, 42));
    }
}
