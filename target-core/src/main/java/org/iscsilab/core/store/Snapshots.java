package org.iscsilab.core.store;

/**
 * A store that can copy its whole content aside and put a copy back, so a test suite can start each
 * test from a known disk. The caller keeps I/O out while either runs (the unit's medium lock, taken
 * exclusively).
 */
public interface Snapshots {
    /** The content now, as an opaque image of this store. */
    Image take();

    /** Puts an image taken of this store back; the capacity becomes the image's. */
    void restore(Image image);

    /** A copy of a store's content. */
    interface Image {
        /** The capacity of the store when the image was taken. */
        long capacityBytes();
    }
}
