/**
 * SBC-4 commands: READ/WRITE, VERIFY, COMPARE AND WRITE, atomic writes, thin provisioning, FORMAT
 * UNIT, SANITIZE.
 */
package org.iscsilab.core.sbc;
