/**
 * The iSCSI target node (RFC 7143): portals, connections, login phase, sessions, the CmdSN window,
 * Data-In/R2T sequencing, task management requests and connection faults.
 */
package org.iscsilab.iscsi.node;
