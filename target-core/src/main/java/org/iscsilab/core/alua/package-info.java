/**
 * Asymmetric logical unit access (SPC-5 §5.16): the target port groups of a SCSI target device,
 * their access states, which commands each state admits, and REPORT and SET TARGET PORT GROUPS.
 */
package org.iscsilab.core.alua;
