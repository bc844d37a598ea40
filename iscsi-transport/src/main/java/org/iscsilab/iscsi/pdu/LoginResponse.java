package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Login Response (RFC 7143 §11.13). */
public record LoginResponse(
        boolean transit,
        boolean continueFlag,
        int currentStage,
        int nextStage,
        int versionMax,
        int versionActive,
        long isid,
        int tsih,
        int initiatorTaskTag,
        int statSn,
        int expCmdSn,
        int maxCmdSn,
        int statusClass,
        int statusDetail,
        ByteBuf data)
        implements Pdu {
    /**
     * An accepted step of a login (Status-Class 0): the stages it moves between, the session's
     * identity and the target's keys; version 0 is the only one (RFC 7143 §11.13.4).
     */
    public static LoginResponse accepted(
            boolean transit,
            int currentStage,
            int nextStage,
            long isid,
            int tsih,
            int itt,
            int statSn,
            int expCmdSn,
            int maxCmdSn,
            ByteBuf keys) {
        return new LoginResponse(
                transit,
                false,
                currentStage,
                nextStage,
                0,
                0,
                isid,
                tsih,
                itt,
                statSn,
                expCmdSn,
                maxCmdSn,
                0,
                0,
                keys);
    }

    /**
     * A refused login with its Status-Class and Status-Detail (RFC 7143 §11.13.5); no keys, no
     * TSIH.
     */
    public static LoginResponse refused(
            int currentStage,
            long isid,
            int itt,
            int statSn,
            int expCmdSn,
            int statusClass,
            int statusDetail) {
        return ended(
                currentStage,
                isid,
                itt,
                statSn,
                expCmdSn,
                statusClass,
                statusDetail,
                Unpooled.EMPTY_BUFFER);
    }

    /**
     * A redirection (Status-Class 1, RFC 7143 §11.13.5): target moved temporarily (detail 01) or
     * permanently (02); {@code text} carries the TargetAddress to log in to instead.
     */
    public static LoginResponse redirected(
            int currentStage,
            long isid,
            int itt,
            int statSn,
            int expCmdSn,
            boolean permanent,
            ByteBuf text) {
        return ended(
                currentStage, isid, itt, statSn, expCmdSn, 0x01, permanent ? 0x02 : 0x01, text);
    }

    /** A login that ends here: no transit, no TSIH, the status, and {@code text} as its data. */
    private static LoginResponse ended(
            int currentStage,
            long isid,
            int itt,
            int statSn,
            int expCmdSn,
            int statusClass,
            int statusDetail,
            ByteBuf text) {
        return new LoginResponse(
                false,
                false,
                currentStage,
                0,
                0,
                0,
                isid,
                0,
                itt,
                statSn,
                expCmdSn,
                expCmdSn,
                statusClass,
                statusDetail,
                text);
    }

    @Override
    public Opcode opcode() {
        return Opcode.LOGIN_RESPONSE;
    }

    @Override
    public void writeBhs(ByteBuf h) {
        h.setByte(
                1,
                (transit ? 0x80 : 0)
                        | (continueFlag ? 0x40 : 0)
                        | ((currentStage & 3) << 2)
                        | (nextStage & 3));
        h.setByte(2, versionMax);
        h.setByte(3, versionActive);
        writeIsid(h, isid);
        h.setShort(14, tsih);
        h.setInt(16, initiatorTaskTag);
        Bhs.setSequence(h, statSn, expCmdSn, maxCmdSn);
        h.setByte(36, statusClass);
        h.setByte(37, statusDetail);
    }

    static LoginResponse parse(ByteBuf h, ByteBuf data) {
        int f = Bhs.u8(h, 1);
        return new LoginResponse(
                (f & 0x80) != 0,
                (f & 0x40) != 0,
                (f >> 2) & 3,
                f & 3,
                Bhs.u8(h, 2),
                Bhs.u8(h, 3),
                readIsid(h),
                Bhs.u16(h, 14),
                Bhs.i32(h, 16),
                Bhs.i32(h, 24),
                Bhs.i32(h, 28),
                Bhs.i32(h, 32),
                Bhs.u8(h, 36),
                Bhs.u8(h, 37),
                data);
    }

    /** The 6-byte ISID at bytes 8-13 (RFC 7143 §11.12.5), held in the low 48 bits of a long. */
    static void writeIsid(ByteBuf h, long isid) {
        h.setShort(8, (int) (isid >>> 32));
        h.setInt(10, (int) isid);
    }

    static long readIsid(ByteBuf h) {
        return ((long) Bhs.u16(h, 8) << 32) | (Bhs.i32(h, 10) & 0xFFFFFFFFL);
    }
}
