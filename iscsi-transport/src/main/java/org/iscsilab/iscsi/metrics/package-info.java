/** The target's meters, registered in the Micrometer registry the assembler of the target gives. */
package org.iscsilab.iscsi.metrics;
