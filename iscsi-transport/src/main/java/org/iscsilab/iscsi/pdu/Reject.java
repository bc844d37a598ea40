package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** Reject (RFC 7143 §11.17); the data segment is the header of the rejected PDU. */
public record Reject(
        int reason, int statSn, int expCmdSn, int maxCmdSn, int dataSnOrR2tSn, ByteBuf data)
        implements Pdu {
    /** Reason codes (§11.17.1). */
    public static final int DATA_DIGEST_ERROR = 0x02;

    public static final int SNACK_REJECT = 0x03;
    public static final int PROTOCOL_ERROR = 0x04;
    public static final int COMMAND_NOT_SUPPORTED = 0x05;
    public static final int IMMEDIATE_COMMAND_REJECT = 0x06;
    public static final int TASK_IN_PROGRESS = 0x07;
    public static final int INVALID_DATA_ACK = 0x08;
    public static final int INVALID_PDU_FIELD = 0x09;
    public static final int LONG_OPERATION_REJECT = 0x0A;
    public static final int WAITING_FOR_LOGOUT = 0x0C;

    /** The opcode of the rejected PDU, whose header is the data segment; -1 without one. */
    public int rejectedOpcode() {
        return data.readableBytes() >= 1 ? Bhs.opcodeCode(data) : -1;
    }

    /** The Initiator Task Tag of the rejected PDU; the reserved tag when the header is short. */
    public int rejectedTaskTag() {
        return data.readableBytes() >= 20 ? Bhs.initiatorTaskTag(data) : RESERVED_TAG;
    }

    @Override
    public Opcode opcode() {
        return Opcode.REJECT;
    }

    @Override
    public int initiatorTaskTag() {
        return RESERVED_TAG;
    }

    @Override
    public void writeBhs(ByteBuf h) {
        h.setByte(1, 0x80);
        h.setByte(2, reason);
        h.setInt(16, RESERVED_TAG);
        Bhs.setSequence(h, statSn, expCmdSn, maxCmdSn);
        h.setInt(36, dataSnOrR2tSn);
    }

    static Reject parse(ByteBuf h, ByteBuf data) {
        return new Reject(
                Bhs.u8(h, 2), Bhs.i32(h, 24), Bhs.i32(h, 28), Bhs.i32(h, 32), Bhs.i32(h, 36), data);
    }
}
