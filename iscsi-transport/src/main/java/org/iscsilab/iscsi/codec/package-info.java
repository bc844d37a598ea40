/**
 * The iSCSI PDU codec (RFC 7143 §11): framing, header and data digests, Basic Header Segments; no
 * protocol behaviour.
 */
package org.iscsilab.iscsi.codec;
