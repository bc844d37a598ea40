package org.iscsilab.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * Builds the PDU value for a framed header, AHS and data segment. Takes ownership of {@code data}.
 */
public final class PduParser {
    private PduParser() {}

    /**
     * @param header exactly 48 bytes of BHS; copied where kept, so the caller keeps ownership
     */
    public static Pdu parse(ByteBuf header, ByteBuf ahs, ByteBuf data) {
        Opcode op = Opcode.of(Bhs.opcodeCode(header));
        if (op == null) {
            return new UnknownPdu(Bhs.opcodeCode(header), header.copy(), data);
        }
        return switch (op) {
            case NOP_OUT -> NopOut.parse(header, data);
            case SCSI_COMMAND -> ScsiCommand.parse(header, ahs, data);
            case TASK_MANAGEMENT_REQUEST -> TaskManagementRequest.parse(header, data);
            case LOGIN_REQUEST -> LoginRequest.parse(header, data);
            case TEXT_REQUEST -> TextRequest.parse(header, data);
            case DATA_OUT -> DataOut.parse(header, data);
            case LOGOUT_REQUEST -> LogoutRequest.parse(header, data);
            case SNACK_REQUEST -> SnackRequest.parse(header, data);
            case NOP_IN -> NopIn.parse(header, data);
            case SCSI_RESPONSE -> ScsiResponse.parse(header, data);
            case TASK_MANAGEMENT_RESPONSE -> TaskManagementResponse.parse(header, data);
            case LOGIN_RESPONSE -> LoginResponse.parse(header, data);
            case TEXT_RESPONSE -> TextResponse.parse(header, data);
            case DATA_IN -> DataIn.parse(header, data);
            case LOGOUT_RESPONSE -> LogoutResponse.parse(header, data);
            case READY_TO_TRANSFER -> ReadyToTransfer.parse(header, data);
            case ASYNC_MESSAGE -> AsyncMessage.parse(header, data);
            case REJECT -> Reject.parse(header, data);
        };
    }
}
