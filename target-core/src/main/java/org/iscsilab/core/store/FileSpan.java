package org.iscsilab.core.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Data-in that lies in a file: {@code length} bytes at {@code position}. A transport that can send
 * from a file (sendfile) does so without reading the bytes into memory; anything else reads them
 * with {@link #read()}. The channel belongs to the store and stays open.
 */
public record FileSpan(FileChannel channel, long position, int length) {
    /**
     * Below this a read into memory is as cheap as sending from the file, which costs a system call
     * of its own per PDU besides the header's.
     */
    public static final int MIN_LENGTH = 64 * 1024;

    /** The bytes, read into a heap buffer (for whoever must look at them: faults, digests). */
    public ByteBuffer read() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        long at = position;
        while (b.hasRemaining()) {
            int n = channel.read(b, at);
            if (n < 0) {
                break; // the file shrank since: the rest reads as zeros, as FileStore.read does
            }
            at += n;
        }
        return b.clear();
    }
}
