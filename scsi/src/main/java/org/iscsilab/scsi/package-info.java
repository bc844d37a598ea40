/**
 * The SCSI vocabulary shared by target, initiator and host model: opcodes, CDBs and their layouts,
 * status, sense data, LUN addressing.
 */
package org.iscsilab.scsi;
