package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Task Management Function Request (RFC 7143 §11.5). */
public record TaskManagementRequest(
        boolean immediate,
        int function,
        long lun,
        int initiatorTaskTag,
        int referencedTaskTag,
        int cmdSn,
        int expStatSn,
        int refCmdSn,
        int expDataSn)
        implements Pdu {
    public static final int ABORT_TASK = 1;
    public static final int ABORT_TASK_SET = 2;
    public static final int CLEAR_ACA = 3;
    public static final int CLEAR_TASK_SET = 4;
    public static final int LOGICAL_UNIT_RESET = 5;
    public static final int TARGET_WARM_RESET = 6;
    public static final int TARGET_COLD_RESET = 7;
    public static final int TASK_REASSIGN = 8;

    /**
     * An immediate request for {@code function} (how an initiator sends task management, RFC 7143
     * §11.5); {@code refCmdSn} is the referenced command's CmdSN for ABORT TASK (§11.5.5).
     */
    public static TaskManagementRequest of(
            int function,
            long lun,
            int itt,
            int referencedTaskTag,
            int cmdSn,
            int expStatSn,
            int refCmdSn) {
        return new TaskManagementRequest(
                true, function, lun, itt, referencedTaskTag, cmdSn, expStatSn, refCmdSn, 0);
    }

    /**
     * An immediate TASK REASSIGN of the task {@code referencedTaskTag} to the connection it goes
     * out on; {@code expDataSn} names the first Data-In not received (RFC 7143 §7.2.2, §11.5.1).
     */
    public static TaskManagementRequest taskReassign(
            long lun, int itt, int referencedTaskTag, int cmdSn, int expStatSn, int expDataSn) {
        return new TaskManagementRequest(
                true, TASK_REASSIGN, lun, itt, referencedTaskTag, cmdSn, expStatSn, 0, expDataSn);
    }

    @Override
    public Opcode opcode() {
        return Opcode.TASK_MANAGEMENT_REQUEST;
    }

    @Override
    public ByteBuf data() {
        return Unpooled.EMPTY_BUFFER;
    }

    @Override
    public void writeBhs(ByteBuf h) {
        h.setByte(1, 0x80 | (function & 0x7F));
        h.setLong(8, lun);
        h.setInt(16, initiatorTaskTag);
        h.setInt(20, referencedTaskTag);
        h.setInt(24, cmdSn);
        h.setInt(28, expStatSn);
        h.setInt(32, refCmdSn);
        h.setInt(36, expDataSn);
    }

    static TaskManagementRequest parse(ByteBuf h, ByteBuf data) {
        data.release();
        return new TaskManagementRequest(
                Bhs.immediate(h),
                Bhs.u8(h, 1) & 0x7F,
                Bhs.i64(h, 8),
                Bhs.i32(h, 16),
                Bhs.i32(h, 20),
                Bhs.i32(h, 24),
                Bhs.i32(h, 28),
                Bhs.i32(h, 32),
                Bhs.i32(h, 36));
    }
}
