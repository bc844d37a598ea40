/**
 * The iSCSI low-level driver of the host model, built on the Java initiator (a
 * libiscsi/iscsi_tcp-like LLD).
 */
package org.iscsilab.host.iscsi;
