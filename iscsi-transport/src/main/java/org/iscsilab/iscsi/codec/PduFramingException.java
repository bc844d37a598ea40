package org.iscsilab.iscsi.codec;

import io.netty.handler.codec.DecoderException;

/**
 * The byte stream can no longer be framed into PDUs (bad header digest, oversized data segment):
 * the only safe answer is to drop this connection (RFC 7143 §7.8, §7.12).
 */
public final class PduFramingException extends DecoderException {
    private static final long serialVersionUID = 1L;

    public PduFramingException(String message) {
        super(message);
    }
}
