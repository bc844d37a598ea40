package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Asynchronous Message (RFC 7143 §11.9). */
public record AsyncMessage(
        long lun,
        int statSn,
        int expCmdSn,
        int maxCmdSn,
        int asyncEvent,
        int asyncVCode,
        int parameter1,
        int parameter2,
        int parameter3,
        ByteBuf data)
        implements Pdu {
    /**
     * An iSCSI event (RFC 7143 §11.9.1) other than a SCSI one: {@code event} with its parameters
     * (for a logout request, Parameter3 is the seconds to log out in).
     */
    public static AsyncMessage event(
            int event,
            int parameter1,
            int parameter2,
            int parameter3,
            int statSn,
            int expCmdSn,
            int maxCmdSn) {
        return new AsyncMessage(
                0,
                statSn,
                expCmdSn,
                maxCmdSn,
                event,
                0,
                parameter1,
                parameter2,
                parameter3,
                Unpooled.EMPTY_BUFFER);
    }

    /**
     * This message with the command window as it is now (ExpCmdSN, MaxCmdSN) and {@code data}: what
     * goes when it is sent again (RFC 7143 §11.16.1), all other fields as they were.
     */
    public AsyncMessage withWindow(int expCmdSn, int maxCmdSn, ByteBuf data) {
        return new AsyncMessage(
                lun,
                statSn,
                expCmdSn,
                maxCmdSn,
                asyncEvent,
                asyncVCode,
                parameter1,
                parameter2,
                parameter3,
                data);
    }

    public static final int SCSI_ASYNC_EVENT = 0;
    public static final int LOGOUT_REQUESTED = 1;
    public static final int CONNECTION_DROP = 2;
    public static final int SESSION_DROP = 3;
    public static final int NEGOTIATION_REQUESTED = 4;

    @Override
    public Opcode opcode() {
        return Opcode.ASYNC_MESSAGE;
    }

    @Override
    public int initiatorTaskTag() {
        return RESERVED_TAG;
    }

    @Override
    public void writeBhs(ByteBuf h) {
        h.setByte(1, 0x80);
        h.setLong(8, lun);
        h.setInt(16, RESERVED_TAG);
        Bhs.setSequence(h, statSn, expCmdSn, maxCmdSn);
        h.setByte(36, asyncEvent);
        h.setByte(37, asyncVCode);
        h.setShort(38, parameter1);
        h.setShort(40, parameter2);
        h.setShort(42, parameter3);
    }

    static AsyncMessage parse(ByteBuf h, ByteBuf data) {
        return new AsyncMessage(
                Bhs.i64(h, 8),
                Bhs.i32(h, 24),
                Bhs.i32(h, 28),
                Bhs.i32(h, 32),
                Bhs.u8(h, 36),
                Bhs.u8(h, 37),
                Bhs.u16(h, 38),
                Bhs.u16(h, 40),
                Bhs.u16(h, 42),
                data);
    }
}
