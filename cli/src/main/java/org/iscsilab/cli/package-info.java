/**
 * The iscsilab command line (picocli): target, fault, lun, events, status, scenario and bench;
 * nothing else imports it.
 */
package org.iscsilab.cli;
