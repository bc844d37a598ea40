package org.iscsilab.core.lu;

import java.nio.ByteBuffer;

/**
 * Offered by a transport that can send a command's data-in from memory of its own (a pooled
 * direct buffer), so a READ is read from the medium straight into what goes on the wire: no
 * heap buffer per command and no copy. The buffer belongs to the task; the transport frees it.
 */
public interface DataInAllocator {
    /** A buffer of exactly {@code bytes} bytes, position 0 and limit {@code bytes}. */
    ByteBuffer allocateDataIn(int bytes);

    /**
     * True when this task's data-in may be a span of a file that the transport sends from the
     * file itself (sendfile), see {@link ScsiOutcome#dataInFromFile}.
     */
    default boolean sendsFromFiles() {
        return false;
    }
}
