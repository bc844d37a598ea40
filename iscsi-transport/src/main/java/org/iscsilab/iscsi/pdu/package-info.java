/**
 * iSCSI PDUs as immutable records (RFC 7143 §11), with named factories for the common shapes, and
 * serial number arithmetic (RFC 1982).
 */
package org.iscsilab.iscsi.pdu;
