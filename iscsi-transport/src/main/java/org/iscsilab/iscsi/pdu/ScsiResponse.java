package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * SCSI Response (RFC 7143 §11.4). Residual flags: o/u bidirectional overflow/underflow, O/U
 * overflow/underflow. The data segment carries SenseLength and sense data (§11.4.7).
 */
public record ScsiResponse(
        boolean bidiOverflow,
        boolean bidiUnderflow,
        boolean overflow,
        boolean underflow,
        int response,
        int status,
        int initiatorTaskTag,
        int snackTag,
        int statSn,
        int expCmdSn,
        int maxCmdSn,
        int expDataSn,
        int bidiReadResidualCount,
        int residualCount,
        ByteBuf data)
        implements Pdu {
    /**
     * The response of a command completed at the target (no bidirectional residuals, no SNACK tag):
     * its status, residual and, for CHECK CONDITION, the sense segment.
     */
    public static ScsiResponse completed(
            int itt,
            int status,
            Residual residual,
            int statSn,
            int expCmdSn,
            int maxCmdSn,
            int expDataSn,
            ByteBuf senseSegment) {
        return new ScsiResponse(
                false,
                false,
                residual.overflow(),
                residual.underflow(),
                COMMAND_COMPLETED_AT_TARGET,
                status,
                itt,
                0,
                statSn,
                expCmdSn,
                maxCmdSn,
                expDataSn,
                0,
                residual.count(),
                senseSegment);
    }

    /**
     * The status a Data-In carried (the S bit, RFC 7143 §11.7.4) in a SCSI Response of its own, as
     * it goes again after an R-Data SNACK (§11.16.3) or a reassignment (§7.2.2): its status and
     * residual, with this SNACK Tag (0 for none), StatSN, command window and ExpDataSN, and no
     * sense data (a collapsed status is GOOD).
     */
    public static ScsiResponse collapsedStatusOf(
            DataIn d, int snackTag, int statSn, int expCmdSn, int maxCmdSn, int expDataSn) {
        return new ScsiResponse(
                false,
                false,
                d.overflow(),
                d.underflow(),
                COMMAND_COMPLETED_AT_TARGET,
                d.status(),
                d.initiatorTaskTag(),
                snackTag,
                statSn,
                expCmdSn,
                maxCmdSn,
                expDataSn,
                0,
                d.residualCount(),
                Unpooled.EMPTY_BUFFER);
    }

    /**
     * This response sent again with this SNACK Tag (0 for none), StatSN, command window and
     * ExpDataSN (RFC 7143 §11.16.3, §7.2.2), and {@code data} for its sense segment; its status and
     * residuals as they were.
     */
    public ScsiResponse sentAgain(
            int snackTag, int statSn, int expCmdSn, int maxCmdSn, int expDataSn, ByteBuf data) {
        return new ScsiResponse(
                bidiOverflow,
                bidiUnderflow,
                overflow,
                underflow,
                response,
                status,
                initiatorTaskTag,
                snackTag,
                statSn,
                expCmdSn,
                maxCmdSn,
                expDataSn,
                bidiReadResidualCount,
                residualCount,
                data);
    }

    /**
     * This response with the command window as it is now (ExpCmdSN, MaxCmdSN) and {@code data}:
     * what goes when it is sent again (RFC 7143 §11.16.1), all other fields as they were.
     */
    public ScsiResponse withWindow(int expCmdSn, int maxCmdSn, ByteBuf data) {
        return sentAgain(snackTag, statSn, expCmdSn, maxCmdSn, expDataSn, data);
    }

    /** Response codes (§11.4.3). */
    public static final int COMMAND_COMPLETED_AT_TARGET = 0x00;

    public static final int TARGET_FAILURE = 0x01;

    @Override
    public Opcode opcode() {
        return Opcode.SCSI_RESPONSE;
    }

    @Override
    public void writeBhs(ByteBuf h) {
        h.setByte(
                1,
                0x80
                        | (bidiOverflow ? 0x10 : 0)
                        | (bidiUnderflow ? 0x08 : 0)
                        | (overflow ? 0x04 : 0)
                        | (underflow ? 0x02 : 0));
        h.setByte(2, response);
        h.setByte(3, status);
        h.setInt(16, initiatorTaskTag);
        h.setInt(20, snackTag);
        Bhs.setSequence(h, statSn, expCmdSn, maxCmdSn);
        h.setInt(36, expDataSn);
        h.setInt(40, bidiReadResidualCount);
        h.setInt(44, residualCount);
    }

    static ScsiResponse parse(ByteBuf h, ByteBuf data) {
        int f = Bhs.u8(h, 1);
        return new ScsiResponse(
                (f & 0x10) != 0,
                (f & 0x08) != 0,
                (f & 0x04) != 0,
                (f & 0x02) != 0,
                Bhs.u8(h, 2),
                Bhs.u8(h, 3),
                Bhs.i32(h, 16),
                Bhs.i32(h, 20),
                Bhs.i32(h, 24),
                Bhs.i32(h, 28),
                Bhs.i32(h, 32),
                Bhs.i32(h, 36),
                Bhs.i32(h, 40),
                Bhs.i32(h, 44),
                data);
    }
}
