/**
 * A dm-multipath model over the host's SCSI disks: paths to one logical unit grouped by ALUA
 * priority, a TEST UNIT READY path checker, failover and failback, queue_if_no_path and
 * no_path_retry.
 */
package org.iscsilab.host.multipath;
