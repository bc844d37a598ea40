package org.iscsilab.target.store;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A sparse RAM store: memory is allocated in 64 KiB chunks only for chunks that were
 * written; unwritten chunks read as zeros. Contents are lost when the process exits. Chunks
 * live outside the Java heap (direct buffers), so a large LUN costs its size in memory and not
 * a heap the garbage collector must size, scan and grow around it; direct memory is bounded by
 * -XX:MaxDirectMemorySize (by default the maximum heap size).
 */
public final class RamStore implements BackingStore, Unmappable {
    static final int CHUNK_SHIFT = 16;
    static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;

    private static final byte[] ZEROS = new byte[CHUNK_SIZE];

    private volatile long capacity;
    private final ConcurrentHashMap<Long, ByteBuffer> chunks = new ConcurrentHashMap<>();
    private final AtomicLong allocated = new AtomicLong();

    public RamStore(long capacityBytes) {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("RAM store size must be positive");
        }
        this.capacity = capacityBytes;
    }

    @Override
    public long capacityBytes() {
        return capacity;
    }

    /** Shrinking frees the chunks past the new end and zeroes the rest of the last one. */
    @Override
    public synchronized void resize(long newCapacityBytes) {
        if (newCapacityBytes <= 0) {
            throw new IllegalArgumentException("RAM store size must be positive");
        }
        if (newCapacityBytes < capacity) {
            unmap(newCapacityBytes, capacity - newCapacityBytes);
        }
        capacity = newCapacityBytes;
    }

    @Override
    public boolean blocking() {
        return false;
    }

    /** Bytes of memory held for written chunks. */
    public long allocatedBytes() {
        return allocated.get();
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
        while (dst.hasRemaining()) {
            long index = offset >>> CHUNK_SHIFT;
            int within = (int) (offset & (CHUNK_SIZE - 1));
            int n = Math.min(dst.remaining(), CHUNK_SIZE - within);
            ByteBuffer chunk = chunks.get(index);
            if (chunk == null) {
                dst.put(ZEROS, 0, n); // an unwritten chunk reads as zeros
            } else {
                dst.put(dst.position(), chunk, within, n).position(dst.position() + n);
            }
            offset += n;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean forceUnitAccess) {
        while (src.hasRemaining()) {
            long index = offset >>> CHUNK_SHIFT;
            int within = (int) (offset & (CHUNK_SIZE - 1));
            int n = Math.min(src.remaining(), CHUNK_SIZE - within);
            ByteBuffer chunk = chunks.computeIfAbsent(index, i -> {
                allocated.addAndGet(CHUNK_SIZE);
                return ByteBuffer.allocateDirect(CHUNK_SIZE); // zero-filled
            });
            chunk.put(within, src, src.position(), n);
            src.position(src.position() + n);
            offset += n;
        }
    }

    /** Frees whole chunks inside the range and zeroes the partial chunks at its ends. */
    @Override
    public void unmap(long offset, long length) {
        long end = offset + length;
        while (offset < end) {
            long index = offset >>> CHUNK_SHIFT;
            int within = (int) (offset & (CHUNK_SIZE - 1));
            int n = (int) Math.min(end - offset, CHUNK_SIZE - within);
            if (n == CHUNK_SIZE) {
                if (chunks.remove(index) != null) {
                    allocated.addAndGet(-CHUNK_SIZE);
                }
            } else {
                ByteBuffer chunk = chunks.get(index);
                if (chunk != null) {
                    chunk.put(within, ZEROS, 0, n);
                }
            }
            offset += n;
        }
    }

    @Override
    public void flush() {
        // RAM has no volatile cache beyond itself
    }

    @Override
    public String describe() {
        return "ram " + Sizes.format(capacity);
    }

    @Override
    public void close() {
        chunks.clear();
        allocated.set(0);
    }
}
