package org.iscsilab.core.store;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A sparse RAM store: memory is allocated in 64 KiB chunks only for chunks that were written;
 * unwritten chunks read as zeros. Contents are lost when the process exits. Chunks live outside the
 * Java heap (direct buffers), so a large LUN costs its size in memory and not a heap the garbage
 * collector must size, scan and grow around it; direct memory is bounded by -XX:MaxDirectMemorySize
 * (by default the maximum heap size). Chunks are found through a two-level table indexed by chunk
 * number (pages of 4,096 chunks made on first write), so a lookup is two array reads with no lock
 * and no boxing; chunks and pages are created under the store's lock.
 */
public final class RamStore implements BackingStore, Unmappable, Snapshots {
    private final Optional<Unmappable> unmapper = Optional.of(this);
    private final Optional<Snapshots> snapshots = Optional.of(this);

    /** The written chunks of a RAM store, copied onto the heap. */
    private record RamImage(long capacityBytes, Map<Long, byte[]> chunks) implements Image {}

    static final int CHUNK_SHIFT = 16;
    static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;

    private static final int PAGE_SHIFT = 12;
    private static final int PAGE_CHUNKS = 1 << PAGE_SHIFT;

    private static final byte[] ZEROS = new byte[CHUNK_SIZE];

    private volatile long capacity;

    /** Pages of chunks by page number; replaced by a larger directory when the store grows. */
    private volatile AtomicReferenceArray<AtomicReferenceArray<ByteBuffer>> pages;

    private final AtomicLong allocated = new AtomicLong();

    public RamStore(long capacityBytes) {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("RAM store size must be positive");
        }
        this.capacity = capacityBytes;
        this.pages = new AtomicReferenceArray<>(pagesFor(capacityBytes));
    }

    private static int pagesFor(long bytes) {
        long chunks = (bytes + CHUNK_SIZE - 1) >>> CHUNK_SHIFT;
        return (int) ((chunks + PAGE_CHUNKS - 1) >>> PAGE_SHIFT);
    }

    /** The chunk with this number, or null while it was never written. */
    private ByteBuffer chunk(long index) {
        AtomicReferenceArray<AtomicReferenceArray<ByteBuffer>> dir = pages;
        long page = index >>> PAGE_SHIFT;
        if (page >= dir.length()) {
            return null;
        }
        AtomicReferenceArray<ByteBuffer> p = dir.get((int) page);
        return p == null ? null : p.get((int) (index & (PAGE_CHUNKS - 1)));
    }

    /** Whether a page never written starts at this chunk (so a walk over chunks can skip it). */
    private boolean unwrittenPageAt(long index) {
        long page = index >>> PAGE_SHIFT;
        return (index & (PAGE_CHUNKS - 1)) == 0
                && (page >= pages.length() || pages.get((int) page) == null);
    }

    /** The chunk with this number, made (zero-filled, off the heap) on its first write. */
    private ByteBuffer chunkForWrite(long index) {
        ByteBuffer c = chunk(index);
        return c != null ? c : newChunk(index);
    }

    private synchronized ByteBuffer newChunk(long index) {
        int page = (int) (index >>> PAGE_SHIFT);
        AtomicReferenceArray<ByteBuffer> p = pages.get(page);
        if (p == null) {
            p = new AtomicReferenceArray<>(PAGE_CHUNKS);
            pages.set(page, p);
        }
        int slot = (int) (index & (PAGE_CHUNKS - 1));
        ByteBuffer c = p.get(slot);
        if (c == null) {
            c = ByteBuffer.allocateDirect(CHUNK_SIZE);
            allocated.addAndGet(CHUNK_SIZE);
            p.set(slot, c);
        }
        return c;
    }

    private synchronized void dropChunk(long index) {
        AtomicReferenceArray<AtomicReferenceArray<ByteBuffer>> dir = pages;
        long page = index >>> PAGE_SHIFT;
        AtomicReferenceArray<ByteBuffer> p = page < dir.length() ? dir.get((int) page) : null;
        if (p != null && p.getAndSet((int) (index & (PAGE_CHUNKS - 1)), null) != null) {
            allocated.addAndGet(-CHUNK_SIZE);
        }
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
        int needed = pagesFor(newCapacityBytes);
        if (needed > pages.length()) {
            AtomicReferenceArray<AtomicReferenceArray<ByteBuffer>> grown =
                    new AtomicReferenceArray<>(needed);
            for (int i = 0; i < pages.length(); i++) {
                grown.set(i, pages.get(i));
            }
            pages = grown;
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
            ByteBuffer chunk = chunk(index);
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
            ByteBuffer chunk = chunkForWrite(index);
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
                dropChunk(index);
            } else {
                ByteBuffer chunk = chunk(index);
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
    public synchronized void close() {
        pages = new AtomicReferenceArray<>(0);
        allocated.set(0);
    }

    @Override
    public Optional<Snapshots> snapshots() {
        return snapshots;
    }

    @Override
    public synchronized Image take() {
        Map<Long, byte[]> copy = new HashMap<>();
        long chunks = (capacity + CHUNK_SIZE - 1) >>> CHUNK_SHIFT;
        for (long i = 0; i < chunks; i++) {
            if (unwrittenPageAt(i)) {
                i += PAGE_CHUNKS - 1; // none of its chunks exist
                continue;
            }
            ByteBuffer c = chunk(i);
            if (c != null) {
                byte[] b = new byte[CHUNK_SIZE];
                c.duplicate().clear().get(b);
                copy.put(i, b);
            }
        }
        return new RamImage(capacity, Map.copyOf(copy));
    }

    @Override
    public synchronized void restore(Image image) {
        if (!(image instanceof RamImage ram)) {
            throw new IllegalArgumentException("not an image of a RAM store");
        }
        long chunks = (capacity + CHUNK_SIZE - 1) >>> CHUNK_SHIFT;
        for (long i = 0; i < chunks; i++) {
            if (unwrittenPageAt(i)) {
                i += PAGE_CHUNKS - 1; // no chunk of it to drop
                continue;
            }
            dropChunk(i);
        }
        capacity = ram.capacityBytes();
        pages = new AtomicReferenceArray<>(pagesFor(capacity));
        ram.chunks().forEach((index, bytes) -> newChunk(index).duplicate().clear().put(bytes));
    }

    @Override
    public Optional<Unmappable> unmapper() {
        return unmapper;
    }
}
