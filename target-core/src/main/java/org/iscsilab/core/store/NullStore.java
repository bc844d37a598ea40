package org.iscsilab.core.store;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/** Reads zeros and discards writes: a store that costs nothing, for protocol benchmarks. */
public final class NullStore implements BackingStore, Unmappable {
    private final Optional<Unmappable> unmapper = Optional.of(this);

    private volatile long capacity;

    public NullStore(long capacityBytes) {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("null store size must be positive");
        }
        this.capacity = capacityBytes;
    }

    @Override
    public long capacityBytes() {
        return capacity;
    }

    @Override
    public void resize(long newCapacityBytes) {
        if (newCapacityBytes <= 0) {
            throw new IllegalArgumentException("null store size must be positive");
        }
        capacity = newCapacityBytes;
    }

    @Override
    public boolean blocking() {
        return false;
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
        if (dst.hasArray()) {
            Arrays.fill(
                    dst.array(),
                    dst.arrayOffset() + dst.position(),
                    dst.arrayOffset() + dst.limit(),
                    (byte) 0);
            dst.position(dst.limit());
        } else {
            while (dst.hasRemaining()) {
                dst.put((byte) 0);
            }
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean forceUnitAccess) {
        src.position(src.limit());
    }

    @Override
    public void unmap(long offset, long length) {
        // nothing is stored
    }

    @Override
    public void flush() {}

    @Override
    public String describe() {
        return "null " + Sizes.format(capacity);
    }

    @Override
    public void close() {}

    @Override
    public Optional<Unmappable> unmapper() {
        return unmapper;
    }
}
