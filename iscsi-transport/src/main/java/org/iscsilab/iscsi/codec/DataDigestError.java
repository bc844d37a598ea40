package org.iscsilab.iscsi.codec;

import io.netty.buffer.ByteBuf;
import org.iscsilab.iscsi.pdu.Bhs;

/**
 * A PDU whose header was sound but whose data digest did not match: the PDU is discarded and the
 * receiver answers with Reject, reason "data digest error" (RFC 7143 §7.8). Holds a copy of the
 * 48-byte header, which the Reject carries back.
 */
public record DataDigestError(ByteBuf header) {
    public int opcodeCode() {
        return Bhs.opcodeCode(header);
    }

    public int initiatorTaskTag() {
        return Bhs.initiatorTaskTag(header);
    }
}
