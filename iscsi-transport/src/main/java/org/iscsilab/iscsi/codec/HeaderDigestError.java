package org.iscsilab.iscsi.codec;

/**
 * A PDU whose header digest did not match, discarded whole (header, data and digests, framed by the
 * lengths its header gives) at ErrorRecoveryLevel 1 and above (RFC 7143 §7.8); the receiver learns
 * what was lost from the sequence numbers that follow. Carries what was read of it for the log: the
 * digest received and the one computed.
 */
public record HeaderDigestError(int received, int computed) {}
