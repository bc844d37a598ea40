/**
 * SPC-5 commands: INQUIRY and VPD pages, MODE SENSE/SELECT, REPORT SUPPORTED OPERATION CODES,
 * reservation commands.
 */
package org.iscsilab.core.spc;
