/**
 * A standalone iSCSI initiator: login and authentication, the command window, SCSI commands with
 * their data, task management.
 */
package org.iscsilab.iscsi.initiator;
