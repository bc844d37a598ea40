package org.iscsilab.iscsi.codec;

import org.iscsilab.iscsi.pdu.Pdu;

/**
 * A PDU to send with a wrong data digest (a fault rule's doing): the encoder writes it as usual,
 * then spoils the digest, so the peer sees a data digest error (RFC 7143 §7.8). Only meaningful
 * when data digests are on and the PDU has data.
 */
public record SpoiledDataDigest(Pdu pdu) {}
