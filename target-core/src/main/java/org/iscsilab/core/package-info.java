/**
 * The SCSI target device (SAM-5): its logical units, the task manager, LUN specs; no transport, no
 * Netty.
 */
package org.iscsilab.core;
