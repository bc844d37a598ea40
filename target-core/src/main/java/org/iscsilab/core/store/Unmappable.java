package org.iscsilab.core.store;

import java.io.IOException;

/**
 * A store that can give back the space of a byte range, which then reads as zeros (SBC-4 §4.7.3.4
 * LBPRZ).
 */
public interface Unmappable {
    void unmap(long offset, long length) throws IOException;
}
