package org.iscsilab.core.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A file seen through a copy-on-write layer: reads come from the file until a sector is written,
 * writes and unmaps go to a scratch layer in memory (off the heap, allocated as written), and the
 * file itself is opened read-only and never changes. Restoring the image taken when the LUN was
 * made drops the scratch layer, so a test suite starts each test from the file's content. What the
 * scratch layer holds does not outlive the process: SYNCHRONIZE CACHE makes nothing more durable.
 */
public final class OverlayStore implements BackingStore, Unmappable, Snapshots {
    private static final int SECTOR_SHIFT = WrittenSectors.SECTOR_SHIFT;
    private static final int SECTOR = WrittenSectors.SECTOR;

    private final Optional<Unmappable> unmapper = Optional.of(this);
    private final Optional<Snapshots> snapshots = Optional.of(this);

    /** The scratch layer, which sectors it holds and how much of the file still shows. */
    private record OverlayImage(
            long capacityBytes, long visibleBytes, Image scratch, WrittenSectors written)
            implements Image {}

    private final FileStore file;
    private final RamStore scratch;
    private volatile WrittenSectors written;
    private volatile long capacity;

    /**
     * How much of the file shows through where nothing was written: its size, cut by any shrink
     * since the last reset (bytes past a shrink read as zeros when the LUN grows again, SBC-4
     * §4.6).
     */
    private volatile long visible;

    /** Lays a scratch layer over the file at {@code path}, {@code sizeBytes} of it (0: all). */
    public OverlayStore(Path path, long sizeBytes) throws IOException {
        this.file = new FileStore(path, sizeBytes, true);
        this.capacity = file.capacityBytes();
        this.visible = capacity;
        this.scratch = new RamStore(capacity);
        this.written = new WrittenSectors(capacity);
    }

    @Override
    public long capacityBytes() {
        return capacity;
    }

    @Override
    public synchronized void resize(long newCapacityBytes) throws IOException {
        if (newCapacityBytes <= 0) {
            throw new IllegalArgumentException("overlay size must be positive");
        }
        visible = Math.min(visible, newCapacityBytes);
        written.resize(newCapacityBytes);
        scratch.resize(newCapacityBytes);
        capacity = newCapacityBytes;
    }

    @Override
    public boolean blocking() {
        return true;
    }

    /** Each run of sectors comes from where its bytes are: the scratch layer or the file. */
    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        WrittenSectors w = written;
        long end = offset + dst.remaining();
        long lastSector = (end + SECTOR - 1) >>> SECTOR_SHIFT;
        while (offset < end) {
            long sector = offset >>> SECTOR_SHIFT;
            long runEnd = Math.min(end, w.runEnd(sector, lastSector) << SECTOR_SHIFT);
            int n = (int) (runEnd - offset);
            ByteBuffer part = dst.slice(dst.position(), n);
            if (w.written(sector)) {
                scratch.read(offset, part);
            } else {
                readFile(offset, part);
            }
            dst.position(dst.position() + n);
            offset = runEnd;
        }
    }

    private void readFile(long offset, ByteBuffer dst) throws IOException {
        long shown = Math.max(0, Math.min(dst.remaining(), visible - offset));
        if (shown > 0) {
            file.read(offset, dst.slice(dst.position(), (int) shown));
            dst.position(dst.position() + (int) shown);
        }
        while (dst.hasRemaining()) {
            dst.put((byte) 0);
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean forceUnitAccess) throws IOException {
        long end = offset + src.remaining();
        copyUpPartialSectors(offset, end);
        scratch.write(offset, src, forceUnitAccess);
        written.mark(offset >>> SECTOR_SHIFT, (end + SECTOR - 1) >>> SECTOR_SHIFT);
    }

    /** Unmapped sectors read as zeros from the scratch layer (SBC-4 §4.7.3.4 LBPRZ). */
    @Override
    public void unmap(long offset, long length) throws IOException {
        long end = offset + length;
        copyUpPartialSectors(offset, end);
        scratch.unmap(offset, length);
        written.mark(offset >>> SECTOR_SHIFT, (end + SECTOR - 1) >>> SECTOR_SHIFT);
    }

    /**
     * A range that starts or ends inside a sector not yet written keeps the rest of that sector:
     * the sector is copied from the file into the scratch layer first. Logical blocks are whole
     * sectors, so commands never get here; byte-level callers do.
     */
    private synchronized void copyUpPartialSectors(long offset, long end) throws IOException {
        copyUp(offset);
        copyUp(end);
    }

    private void copyUp(long at) throws IOException {
        long sector = at >>> SECTOR_SHIFT;
        if ((at & (SECTOR - 1)) == 0 || written.written(sector)) {
            return;
        }
        long start = sector << SECTOR_SHIFT;
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(SECTOR, capacity - start));
        readFile(start, b);
        scratch.write(start, b.flip(), false);
        written.mark(sector, sector + 1);
    }

    @Override
    public void flush() {
        // the file never changes, and the scratch layer lives as long as the process
    }

    /** Bytes the scratch layer holds for written sectors. */
    public long scratchBytes() {
        return written.count() << SECTOR_SHIFT;
    }

    @Override
    public String describe() {
        return "file "
                + file.path()
                + " "
                + Sizes.format(capacity)
                + " under an overlay ("
                + Sizes.format(scratchBytes())
                + " written)";
    }

    @Override
    public void close() throws IOException {
        scratch.close();
        file.close();
    }

    @Override
    public synchronized Image take() {
        return new OverlayImage(capacity, visible, scratch.take(), written.copy());
    }

    @Override
    public synchronized void restore(Image image) {
        if (!(image instanceof OverlayImage o)) {
            throw new IllegalArgumentException("not an image of an overlay");
        }
        scratch.restore(o.scratch());
        written = o.written().copy();
        visible = o.visibleBytes();
        capacity = o.capacityBytes();
    }

    @Override
    public Optional<Unmappable> unmapper() {
        return unmapper;
    }

    @Override
    public Optional<Snapshots> snapshots() {
        return snapshots;
    }
}
