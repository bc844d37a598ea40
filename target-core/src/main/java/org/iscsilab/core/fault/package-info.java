/**
 * The fault rule language (scope, trigger, action), the SCSI fault actions, and the target's event
 * log.
 */
package org.iscsilab.core.fault;
