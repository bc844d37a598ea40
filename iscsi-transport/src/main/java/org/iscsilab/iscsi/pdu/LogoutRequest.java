package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Logout Request (RFC 7143 §11.14). */
public record LogoutRequest(
        boolean immediate, int reasonCode, int initiatorTaskTag, int cid, int cmdSn, int expStatSn)
        implements Pdu {
    public static final int CLOSE_SESSION = 0;
    public static final int CLOSE_CONNECTION = 1;
    public static final int REMOVE_CONNECTION_FOR_RECOVERY = 2;

    @Override
    public Opcode opcode() {
        return Opcode.LOGOUT_REQUEST;
    }

    @Override
    public ByteBuf data() {
        return Unpooled.EMPTY_BUFFER;
    }

    @Override
    public void writeBhs(ByteBuf h) {
        h.setByte(1, 0x80 | (reasonCode & 0x7F));
        h.setInt(16, initiatorTaskTag);
        h.setShort(20, cid);
        h.setInt(24, cmdSn);
        h.setInt(28, expStatSn);
    }

    static LogoutRequest parse(ByteBuf h, ByteBuf data) {
        data.release();
        return new LogoutRequest(
                Bhs.immediate(h),
                Bhs.u8(h, 1) & 0x7F,
                Bhs.i32(h, 16),
                Bhs.u16(h, 20),
                Bhs.i32(h, 24),
                Bhs.i32(h, 28));
    }
}
