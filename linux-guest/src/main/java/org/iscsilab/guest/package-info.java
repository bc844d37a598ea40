/**
 * Boots a real Linux kernel with open-iscsi in a QEMU guest against the target and runs the
 * scenarios there.
 */
package org.iscsilab.guest;
