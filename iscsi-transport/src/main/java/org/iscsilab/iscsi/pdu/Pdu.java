package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * An iSCSI PDU (RFC 7143 §11.2) as a value: the fields of its Basic Header Segment and its data
 * segment. A PDU owns its data buffer; whoever consumes the PDU releases it (the encoder passes it
 * on to the channel).
 */
public sealed interface Pdu
        permits NopOut,
                ScsiCommand,
                TaskManagementRequest,
                LoginRequest,
                TextRequest,
                DataOut,
                LogoutRequest,
                SnackRequest,
                NopIn,
                ScsiResponse,
                TaskManagementResponse,
                LoginResponse,
                TextResponse,
                DataIn,
                LogoutResponse,
                ReadyToTransfer,
                AsyncMessage,
                Reject,
                UnknownPdu {

    /** Bytes in a Basic Header Segment. */
    int BHS_LENGTH = 48;

    /** The reserved tag value (RFC 7143 §11.2.1.8 and elsewhere). */
    int RESERVED_TAG = 0xFFFFFFFF;

    Opcode opcode();

    /** The I bit (RFC 7143 §11.2.1.1); only initiator PDUs carry it. */
    default boolean immediate() {
        return false;
    }

    int initiatorTaskTag();

    ByteBuf data();

    /** Additional header segments, already laid out (RFC 7143 §11.2.2); empty for most PDUs. */
    default ByteBuf ahs() {
        return Unpooled.EMPTY_BUFFER;
    }

    /**
     * Writes the opcode-specific fields into a zeroed 48-byte header at absolute indexes 0-47. The
     * encoder fills in byte 0's I bit and opcode, TotalAHSLength and DataSegmentLength.
     */
    void writeBhs(ByteBuf bhs);

    /** Releases the data segment; call when dropping a PDU without passing it on. */
    default void release() {
        if (data().refCnt() > 0) {
            data().release();
        }
    }
}
