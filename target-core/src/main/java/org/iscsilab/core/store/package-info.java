/**
 * Backing stores (RAM, file, null) and the capabilities they declare: unmap, file spans, a file
 * path.
 */
package org.iscsilab.core.store;
