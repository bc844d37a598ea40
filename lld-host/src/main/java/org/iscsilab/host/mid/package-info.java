/**
 * The Linux-style SCSI mid-layer: hosts, targets, devices with scsi_device_set_state's table plus
 * CANCEL_BLOCK, request queues, the error handler.
 */
package org.iscsilab.host.mid;
