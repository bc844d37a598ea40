package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** Login Request (RFC 7143 §11.12). Stages: 0 security, 1 operational, 3 full feature phase. */
public record LoginRequest(
        boolean transit,
        boolean continueFlag,
        int currentStage,
        int nextStage,
        int versionMax,
        int versionMin,
        long isid,
        int tsih,
        int initiatorTaskTag,
        int cid,
        int cmdSn,
        int expStatSn,
        ByteBuf data)
        implements Pdu {
    /**
     * A Login Request of a leading connection (CID 0, TSIH 0: a new session), version 0, carrying
     * {@code keys} (RFC 7143 §11.12).
     */
    public static LoginRequest leading(
            boolean transit,
            int currentStage,
            int nextStage,
            long isid,
            int itt,
            int cmdSn,
            int expStatSn,
            ByteBuf keys) {
        return forConnection(
                transit, currentStage, nextStage, isid, 0, itt, 0, cmdSn, expStatSn, keys);
    }

    /**
     * A Login Request, version 0, of connection {@code cid} of the session {@code tsih}, carrying
     * {@code keys}: with TSIH 0 the leading login of a new session, otherwise a connection that
     * joins that session or, with the CID of one of its connections, reinstates it (RFC 7143 §6.3,
     * §6.3.4, §11.12).
     */
    public static LoginRequest forConnection(
            boolean transit,
            int currentStage,
            int nextStage,
            long isid,
            int tsih,
            int itt,
            int cid,
            int cmdSn,
            int expStatSn,
            ByteBuf keys) {
        return new LoginRequest(
                transit,
                false,
                currentStage,
                nextStage,
                0,
                0,
                isid,
                tsih,
                itt,
                cid,
                cmdSn,
                expStatSn,
                keys);
    }

    @Override
    public Opcode opcode() {
        return Opcode.LOGIN_REQUEST;
    }

    @Override
    public boolean immediate() {
        return true; // RFC 7143 §11.12: the I bit is always 1
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
        h.setByte(3, versionMin);
        LoginResponse.writeIsid(h, isid);
        h.setShort(14, tsih);
        h.setInt(16, initiatorTaskTag);
        h.setShort(20, cid);
        h.setInt(24, cmdSn);
        h.setInt(28, expStatSn);
    }

    static LoginRequest parse(ByteBuf h, ByteBuf data) {
        int f = Bhs.u8(h, 1);
        return new LoginRequest(
                (f & 0x80) != 0,
                (f & 0x40) != 0,
                (f >> 2) & 3,
                f & 3,
                Bhs.u8(h, 2),
                Bhs.u8(h, 3),
                LoginResponse.readIsid(h),
                Bhs.u16(h, 14),
                Bhs.i32(h, 16),
                Bhs.u16(h, 20),
                Bhs.i32(h, 24),
                Bhs.i32(h, 28),
                data);
    }
}
