package org.iscsilab.core.lu;

import java.nio.ByteBuffer;

/**
 * Where a command's data-in goes, given with the task. A transport that sends from memory of its
 * own (a pooled direct buffer) has a READ read from the medium straight into what goes on the wire:
 * no heap buffer per command and no copy. The buffer belongs to the task; the transport frees it,
 * and knows it again when the outcome carries that same buffer object.
 */
@FunctionalInterface
public interface DataInAllocator {
    /** Heap memory, for callers without buffers of their own. */
    DataInAllocator HEAP = ByteBuffer::allocate;

    /** A buffer of exactly {@code bytes} bytes, position 0 and limit {@code bytes}. */
    ByteBuffer allocateDataIn(int bytes);

    /**
     * True when this task's data-in may be a span of a file that the transport sends from the file
     * itself (sendfile), see {@link ScsiOutcome#dataInFromFile}.
     */
    default boolean sendsFromFiles() {
        return false;
    }
}
