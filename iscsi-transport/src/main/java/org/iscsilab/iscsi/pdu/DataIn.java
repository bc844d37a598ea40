package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * SCSI Data-In (RFC 7143 §11.7). With the S bit it also carries the command's status (phase
 * collapse, §11.7.4), and then StatSN and the residual fields are valid.
 */
public record DataIn(
        boolean finalFlag,
        boolean acknowledge,
        boolean overflow,
        boolean underflow,
        boolean statusPresent,
        int status,
        long lun,
        int initiatorTaskTag,
        int targetTransferTag,
        int statSn,
        int expCmdSn,
        int maxCmdSn,
        int dataSn,
        int bufferOffset,
        int residualCount,
        ByteBuf data)
        implements Pdu {
    /**
     * A Data-In carrying data only, of a target's input sequence (F ends the sequence, RFC 7143
     * §11.7.1; no target transfer tag since it asks for no DataACK).
     */
    public static DataIn data(
            long lun,
            int itt,
            int dataSn,
            int bufferOffset,
            boolean endOfSequence,
            int expCmdSn,
            int maxCmdSn,
            ByteBuf data) {
        return new DataIn(
                endOfSequence,
                false,
                false,
                false,
                false,
                0,
                lun,
                itt,
                RESERVED_TAG,
                0,
                expCmdSn,
                maxCmdSn,
                dataSn,
                bufferOffset,
                0,
                data);
    }

    /**
     * A Data-In ending an input sequence that asks the initiator to acknowledge the data so far
     * with a DataACK SNACK (the A bit, RFC 7143 §11.7.2, ErrorRecoveryLevel 1 and above); the
     * target transfer tag names this request in the DataACK (§11.7.4).
     */
    public static DataIn dataAskingAck(
            long lun,
            int itt,
            int ttt,
            int dataSn,
            int bufferOffset,
            int expCmdSn,
            int maxCmdSn,
            ByteBuf data) {
        return new DataIn(
                true,
                true,
                false,
                false,
                false,
                0,
                lun,
                itt,
                ttt,
                0,
                expCmdSn,
                maxCmdSn,
                dataSn,
                bufferOffset,
                0,
                data);
    }

    /**
     * The last Data-In of a command with its status collapsed into it (the S bit, RFC 7143
     * §11.7.4).
     */
    public static DataIn withStatus(
            long lun,
            int itt,
            int dataSn,
            int bufferOffset,
            int status,
            Residual residual,
            int statSn,
            int expCmdSn,
            int maxCmdSn,
            ByteBuf data) {
        return new DataIn(
                true,
                false,
                residual.overflow(),
                residual.underflow(),
                true,
                status,
                lun,
                itt,
                RESERVED_TAG,
                statSn,
                expCmdSn,
                maxCmdSn,
                dataSn,
                bufferOffset,
                residual.count(),
                data);
    }

    /**
     * This Data-In with the command window as it is now (ExpCmdSN, MaxCmdSN) and {@code data}: what
     * goes when it is sent again (RFC 7143 §11.16.1), all other fields as they were.
     */
    public DataIn withWindow(int expCmdSn, int maxCmdSn, ByteBuf data) {
        return new DataIn(
                finalFlag,
                acknowledge,
                overflow,
                underflow,
                statusPresent,
                status,
                lun,
                initiatorTaskTag,
                targetTransferTag,
                statSn,
                expCmdSn,
                maxCmdSn,
                dataSn,
                bufferOffset,
                residualCount,
                data);
    }

    /**
     * This Data-In's data alone, for its status to go in a SCSI Response of its own (RFC 7143
     * §11.16.3 R-Data SNACK, §7.2.2 reassignment): no status, residual or StatSN, no DataACK asked
     * for (the reserved target transfer tag), F set where the status or F ended the sequence.
     */
    public DataIn dataOnly(int expCmdSn, int maxCmdSn, ByteBuf data) {
        return data(
                lun,
                initiatorTaskTag,
                dataSn,
                bufferOffset,
                finalFlag || statusPresent,
                expCmdSn,
                maxCmdSn,
                data);
    }

    @Override
    public Opcode opcode() {
        return Opcode.DATA_IN;
    }

    @Override
    public void writeBhs(ByteBuf h) {
        h.setByte(
                1,
                (finalFlag ? 0x80 : 0)
                        | (acknowledge ? 0x40 : 0)
                        | (overflow ? 0x04 : 0)
                        | (underflow ? 0x02 : 0)
                        | (statusPresent ? 0x01 : 0));
        h.setByte(3, statusPresent ? status : 0);
        h.setLong(8, lun);
        h.setInt(16, initiatorTaskTag);
        h.setInt(20, targetTransferTag);
        Bhs.setSequence(h, statSn, expCmdSn, maxCmdSn);
        h.setInt(36, dataSn);
        h.setInt(40, bufferOffset);
        h.setInt(44, residualCount);
    }

    static DataIn parse(ByteBuf h, ByteBuf data) {
        int f = Bhs.u8(h, 1);
        return new DataIn(
                (f & 0x80) != 0,
                (f & 0x40) != 0,
                (f & 0x04) != 0,
                (f & 0x02) != 0,
                (f & 0x01) != 0,
                Bhs.u8(h, 3),
                Bhs.i64(h, 8),
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
