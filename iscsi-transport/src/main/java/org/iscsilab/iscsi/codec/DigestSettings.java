package org.iscsilab.iscsi.codec;

/**
 * Per-connection framing state shared by decoder and encoder: whether digests are on and the
 * largest data segment this side accepts. Digests start with the first PDU after the final Login
 * Response (RFC 7143 §13.1); only the channel's event loop changes these.
 */
public final class DigestSettings {
    private volatile boolean headerDigest;
    private volatile boolean dataDigest;
    private volatile int maxRecvDataSegmentLength;
    private volatile boolean discardHeaderDigestErrors;

    public DigestSettings(int maxRecvDataSegmentLength) {
        this.maxRecvDataSegmentLength = maxRecvDataSegmentLength;
    }

    public boolean headerDigest() {
        return headerDigest;
    }

    public boolean dataDigest() {
        return dataDigest;
    }

    public int maxRecvDataSegmentLength() {
        return maxRecvDataSegmentLength;
    }

    public void enableDigests(boolean header, boolean data) {
        this.headerDigest = header;
        this.dataDigest = data;
    }

    /**
     * Whether a PDU whose header digest fails is discarded and the stream read on
     * (ErrorRecoveryLevel 1 and above, RFC 7143 §7.8: the sequence numbers then show what was
     * lost), rather than the connection dropped.
     */
    public boolean discardHeaderDigestErrors() {
        return discardHeaderDigestErrors;
    }

    public void discardHeaderDigestErrors(boolean discard) {
        this.discardHeaderDigestErrors = discard;
    }

    public void setMaxRecvDataSegmentLength(int length) {
        this.maxRecvDataSegmentLength = length;
    }
}
