package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** A PDU whose opcode RFC 7143 does not define; kept whole so the receiver can Reject it. */
public record UnknownPdu(int opcodeCode, ByteBuf header, ByteBuf data) implements Pdu {
    @Override
    public Opcode opcode() {
        return null;
    }

    @Override
    public int initiatorTaskTag() {
        return Bhs.initiatorTaskTag(header);
    }

    @Override
    public void writeBhs(ByteBuf h) {
        h.setBytes(0, header, header.readerIndex(), Pdu.BHS_LENGTH);
    }

    @Override
    public void release() {
        Pdu.super.release();
        if (header.refCnt() > 0) {
            header.release();
        }
    }
}
