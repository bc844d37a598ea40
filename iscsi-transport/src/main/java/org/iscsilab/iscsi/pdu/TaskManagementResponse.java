package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Task Management Function Response (RFC 7143 §11.6). */
public record TaskManagementResponse(
        int response, int initiatorTaskTag, int statSn, int expCmdSn, int maxCmdSn) implements Pdu {
    /** Response codes (§11.6.1). */
    public static final int FUNCTION_COMPLETE = 0;

    public static final int TASK_DOES_NOT_EXIST = 1;
    public static final int LUN_DOES_NOT_EXIST = 2;
    public static final int TASK_STILL_ALLEGIANT = 3;
    public static final int REASSIGNMENT_NOT_SUPPORTED = 4;
    public static final int FUNCTION_NOT_SUPPORTED = 5;
    public static final int AUTHORIZATION_FAILED = 6;
    public static final int FUNCTION_REJECTED = 255;

    @Override
    public Opcode opcode() {
        return Opcode.TASK_MANAGEMENT_RESPONSE;
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
    }

    static TaskManagementResponse parse(ByteBuf h, ByteBuf data) {
        data.release();
        return new TaskManagementResponse(
                Bhs.u8(h, 2), Bhs.i32(h, 16), Bhs.i32(h, 24), Bhs.i32(h, 28), Bhs.i32(h, 32));
    }
}
