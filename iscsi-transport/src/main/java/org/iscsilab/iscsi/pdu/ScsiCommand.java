package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/**
 * SCSI Command (RFC 7143 §11.3). {@code cdb} is the whole CDB: the 16 header bytes plus an Extended
 * CDB AHS when longer (§11.2.2.3); immediate data rides in {@code data}.
 */
public record ScsiCommand(
        boolean immediate,
        boolean finalFlag,
        boolean read,
        boolean write,
        int attribute,
        long lun,
        int initiatorTaskTag,
        int expectedDataTransferLength,
        int cmdSn,
        int expStatSn,
        byte[] cdb,
        ByteBuf data)
        implements Pdu {
    /**
     * A SIMPLE-attribute, non-immediate command (how an initiator sends most commands): {@code
     * unsolicitedFollows} clears F when unsolicited Data-Out PDUs follow (RFC 7143 §11.3.1).
     */
    public static ScsiCommand simple(
            long lun,
            int itt,
            byte[] cdb,
            int edtl,
            boolean read,
            boolean write,
            boolean unsolicitedFollows,
            int cmdSn,
            int expStatSn,
            ByteBuf immediateData) {
        return new ScsiCommand(
                false,
                !unsolicitedFollows,
                read,
                write,
                ATTRIBUTE_SIMPLE,
                lun,
                itt,
                edtl,
                cmdSn,
                expStatSn,
                cdb,
                immediateData);
    }

    /**
     * This command as it goes out again in a retry (RFC 7143 §7.2.1): the same ITT, CmdSN, flags
     * and CDB, with the connection's ExpStatSN of now and {@code immediateData} (the immediate data
     * it first carried).
     */
    public ScsiCommand retry(int expStatSn, ByteBuf immediateData) {
        return new ScsiCommand(
                immediate,
                finalFlag,
                read,
                write,
                attribute,
                lun,
                initiatorTaskTag,
                expectedDataTransferLength,
                cmdSn,
                expStatSn,
                cdb,
                immediateData);
    }

    /** ATTR 1: SIMPLE (RFC 7143 §11.3.1, SAM-5 §8.6). */
    public static final int ATTRIBUTE_SIMPLE = 1;

    static final int AHS_EXTENDED_CDB = 1;
    static final int AHS_BIDI_READ_LENGTH = 2;

    @Override
    public Opcode opcode() {
        return Opcode.SCSI_COMMAND;
    }

    @Override
    public void writeBhs(ByteBuf h) {
        h.setByte(
                1,
                (finalFlag ? 0x80 : 0)
                        | (read ? 0x40 : 0)
                        | (write ? 0x20 : 0)
                        | (attribute & 0x07));
        h.setLong(8, lun);
        h.setInt(16, initiatorTaskTag);
        h.setInt(20, expectedDataTransferLength);
        h.setInt(24, cmdSn);
        h.setInt(28, expStatSn);
        h.setBytes(32, cdb, 0, Math.min(16, cdb.length));
    }

    @Override
    public ByteBuf ahs() {
        if (cdb.length <= 16) {
            return Unpooled.EMPTY_BUFFER;
        }
        int extra = cdb.length - 16;
        int ahsLength = extra + 1; // AHSLength counts the reserved byte plus the CDB bytes
        int padded = (3 + ahsLength + 3) & ~3;
        ByteBuf b = Unpooled.buffer(padded);
        b.writeShort(ahsLength).writeByte(AHS_EXTENDED_CDB).writeByte(0);
        b.writeBytes(cdb, 16, extra);
        b.writeZero(padded - b.writerIndex());
        return b;
    }

    static ScsiCommand parse(ByteBuf h, ByteBuf ahs, ByteBuf data) {
        int flags = Bhs.u8(h, 1);
        byte[] cdb = Bhs.bytes(h, 32, 16);
        int i = ahs.readerIndex();
        while (i + 4 <= ahs.writerIndex()) {
            int len = ahs.getUnsignedShort(i);
            int type = ahs.getUnsignedByte(i + 2);
            if (type == AHS_EXTENDED_CDB && len > 1 && i + 3 + len <= ahs.writerIndex()) {
                cdb = Arrays.copyOf(cdb, 16 + len - 1);
                ahs.getBytes(i + 4, cdb, 16, len - 1);
            }
            i += (3 + len + 3) & ~3;
        }
        return new ScsiCommand(
                Bhs.immediate(h),
                (flags & 0x80) != 0,
                (flags & 0x40) != 0,
                (flags & 0x20) != 0,
                flags & 0x07,
                Bhs.i64(h, 8),
                Bhs.i32(h, 16),
                Bhs.i32(h, 20),
                Bhs.i32(h, 24),
                Bhs.i32(h, 28),
                cdb,
                data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScsiCommand c
                && immediate == c.immediate
                && finalFlag == c.finalFlag
                && read == c.read
                && write == c.write
                && attribute == c.attribute
                && lun == c.lun
                && initiatorTaskTag == c.initiatorTaskTag
                && expectedDataTransferLength == c.expectedDataTransferLength
                && cmdSn == c.cmdSn
                && expStatSn == c.expStatSn
                && Arrays.equals(cdb, c.cdb)
                && data.equals(c.data);
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(initiatorTaskTag) * 31 + Arrays.hashCode(cdb);
    }

    @Override
    public String toString() {
        return "ScsiCommand[itt=0x"
                + Integer.toHexString(initiatorTaskTag)
                + ", cmdSn="
                + Integer.toUnsignedString(cmdSn)
                + ", lun="
                + lun
                + ", edtl="
                + expectedDataTransferLength
                + ", opcode=0x"
                + Integer.toHexString(cdb[0] & 0xFF)
                + (read ? ", R" : "")
                + (write ? ", W" : "")
                + ", data="
                + data.readableBytes()
                + "]";
    }
}
