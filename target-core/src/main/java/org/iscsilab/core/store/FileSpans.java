package org.iscsilab.core.store;

/** A store whose bytes lie in a file a transport can send from directly (sendfile). */
public interface FileSpans {
    /**
     * The span of a file holding {@code length} bytes at {@code offset} of the store, or null when
     * it cannot tell (the file shrank, or failed): the caller then reads the bytes instead.
     */
    FileSpan span(long offset, int length);
}
