package org.iscsilab.core.store;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * A store in a regular file or block device, through a FileChannel. A size larger than the file
 * extends it sparsely; unmapped ranges become holes again. FUA writes and {@link #flush()} return
 * after a {@code force} that began once their data was written, so status GOOD for them means the
 * data is on stable storage; concurrent ones share that force ({@link GroupCommit}).
 *
 * <p>A write that arrived in several pieces is one gathering write(2)s of them all, not one
 * pwrite(2) per piece. The JDK has no positional gathering write (pwritev), and Netty's {@code
 * FileDescriptor} offers writev but neither pwritev nor a seek. So the store keeps a few channels
 * of its own on the file, "cursors", each used by one thread at a time: position it, then one
 * gathering write. That is two system calls (lseek, writev) whatever the number of pieces, and
 * cursors never share a file position, so concurrent writes stay independent, as with pwrite.
 *
 * <p>With {@code direct} the data goes through channels opened with O_DIRECT ({@link
 * ExtendedOpenOption#DIRECT}), bypassing the page cache. O_DIRECT wants offsets, lengths and memory
 * aligned to the file system's block size: pieces that are not (network buffers never are) are
 * copied into an aligned buffer of the cursor first. A file system that refuses O_DIRECT refuses
 * the store when it is made.
 */
public final class FileStore implements BackingStore, Unmappable, FileSpans {
    /** Memory alignment of the buffers given to O_DIRECT I/O: a page satisfies every device. */
    private static final int PAGE = 4096;

    /** The aligned buffer of a cursor: larger direct I/O goes through it in steps of this size. */
    private static final int STAGING_BYTES = 1 << 20;

    private final Optional<Unmappable> unmapper = Optional.of(this);
    private final Optional<FileSpans> fileSpans;

    private final Path path;

    /** Buffered: sizes, forces, file spans, and all data I/O unless the store is direct. */
    private final FileChannel channel;

    /** Where reads and positional writes go: {@link #channel}, or an O_DIRECT channel. */
    private final FileChannel io;

    /** O_DIRECT: the alignment offsets and lengths need; 1 when buffered. */
    private final int alignment;

    private final OpenOption[] cursorOptions;
    private final Queue<Cursor> idleCursors = new ConcurrentLinkedQueue<>();
    private final Queue<Cursor> allCursors = new ConcurrentLinkedQueue<>();
    private final GroupCommit commits;

    /**
     * Buffered writes to a regular file, one at a time. The kernel runs them one at a time anyway
     * (ext4, xfs and tmpfs hold the inode lock across a buffered write), but its waiters spin on
     * the lock while the holder copies: with 1 MiB writes from several I/O threads that spinning
     * took a core from the network. Waiting here parks instead. Null for O_DIRECT and block
     * devices, whose writes do run in parallel.
     */
    private final Lock serialWrites;

    private volatile long capacity;
    private final HolePuncher holes;

    /** A channel of the store's own, with its aligned buffer when direct; one thread at a time. */
    private static final class Cursor {
        final FileChannel channel;
        ByteBuffer staging;

        Cursor(FileChannel channel) {
            this.channel = channel;
        }
    }

    public FileStore(Path path, long sizeBytes, boolean readOnly) throws IOException {
        this(path, sizeBytes, readOnly, false);
    }

    /**
     * A file store; {@code direct} opens the file with O_DIRECT for data I/O and fails with an
     * IOException that says so when the file system refuses it.
     */
    public FileStore(Path path, long sizeBytes, boolean readOnly, boolean direct)
            throws IOException {
        this(path, sizeBytes, readOnly, direct, UnaryOperator.identity());
    }

    /** {@code observeForce} wraps the store's force, so tests see when each one begins and ends. */
    FileStore(
            Path path,
            long sizeBytes,
            boolean readOnly,
            boolean direct,
            UnaryOperator<GroupCommit.Force> observeForce)
            throws IOException {
        this.path = path;
        if (readOnly) {
            this.channel = FileChannel.open(path, StandardOpenOption.READ);
        } else {
            this.channel =
                    FileChannel.open(
                            path,
                            StandardOpenOption.READ,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.CREATE);
        }
        try {
            long existing = channel.size();
            if (sizeBytes > 0) {
                if (existing < sizeBytes) {
                    if (readOnly) {
                        throw new IOException(
                                path
                                        + " is "
                                        + existing
                                        + " bytes, smaller than the requested "
                                        + sizeBytes);
                    }
                    // extend sparsely: writing the last byte leaves a hole before it
                    channel.write(ByteBuffer.wrap(new byte[1]), sizeBytes - 1);
                }
                this.capacity = sizeBytes;
            } else {
                if (existing == 0) {
                    if (!readOnly && Files.size(path) == 0) {
                        Files.deleteIfExists(path);
                    }
                    throw new IOException(
                            path + " is empty; give a size, e.g. file:" + path + ":1G");
                }
                this.capacity = existing;
            }
            this.cursorOptions =
                    direct
                            ? readOnly
                                    ? new OpenOption[] {
                                        StandardOpenOption.READ, ExtendedOpenOption.DIRECT
                                    }
                                    : new OpenOption[] {
                                        StandardOpenOption.READ,
                                        StandardOpenOption.WRITE,
                                        ExtendedOpenOption.DIRECT
                                    }
                            : new OpenOption[] {StandardOpenOption.WRITE};
            if (direct) {
                this.io = openDirect(path, cursorOptions);
                this.alignment = (int) Files.getFileStore(path).getBlockSize();
                if (capacity % alignment != 0) {
                    io.close();
                    throw new IOException(
                            path
                                    + ": size "
                                    + capacity
                                    + " is not a multiple of the file system's block size "
                                    + alignment
                                    + ", which O_DIRECT (direct) needs");
                }
            } else {
                this.io = channel;
                this.alignment = 1;
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        this.fileSpans = direct ? Optional.empty() : Optional.of(this);
        this.serialWrites = direct || !Files.isRegularFile(path) ? null : new ReentrantLock();
        FileChannel forced = channel;
        this.commits = new GroupCommit(observeForce.apply(() -> forced.force(false)));
        this.holes = readOnly ? null : HolePuncher.open(path);
    }

    /** Opens an O_DIRECT channel, or says plainly that the file system does not allow it. */
    private static FileChannel openDirect(Path path, OpenOption[] options) throws IOException {
        try {
            return FileChannel.open(path, options);
        } catch (IOException e) {
            throw new IOException(
                    path
                            + ": the file system refuses O_DIRECT (direct): "
                            + e.getMessage()
                            + "; leave out direct, or put the file on a file system that"
                            + " supports it (ext4, xfs)",
                    e);
        }
    }

    /**
     * The alignment O_DIRECT needs of offsets and lengths (the file system's block size); 1 for a
     * buffered store. A logical unit's blocks must be a multiple of it.
     */
    public int directAlignment() {
        return alignment;
    }

    /** Forces (fdatasync) made for FUA writes and cache flushes since the store was opened. */
    public long forceCount() {
        return commits.forces();
    }

    /** Callers queued for the next force (tests line them up with it). */
    int waitingForForce() {
        return commits.waiting();
    }

    @Override
    public long capacityBytes() {
        return capacity;
    }

    /** Growing extends the file sparsely; shrinking truncates it. */
    @Override
    public synchronized void resize(long newCapacityBytes) throws IOException {
        if (newCapacityBytes <= 0) {
            throw new IllegalArgumentException("file store size must be positive");
        }
        if (newCapacityBytes < channel.size()) {
            channel.truncate(newCapacityBytes);
        } else if (newCapacityBytes > channel.size()) {
            channel.write(ByteBuffer.wrap(new byte[1]), newCapacityBytes - 1);
        }
        channel.force(true);
        capacity = newCapacityBytes;
    }

    @Override
    public boolean blocking() {
        return true;
    }

    @Override
    public boolean serialWrites() {
        return serialWrites != null;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        requireAligned(offset, dst.remaining());
        if (alignment == 1 || aligned(dst)) {
            readFully(io, dst, offset);
            return;
        }
        Cursor c = cursor();
        try {
            ByteBuffer stage = staging(c);
            while (dst.hasRemaining()) {
                stage.clear().limit(Math.min(stage.capacity(), dst.remaining()));
                readFully(c.channel, stage, offset);
                offset += stage.position();
                dst.put(stage.flip());
            }
        } finally {
            release(c);
        }
    }

    /** Fills {@code dst}; past the physical end of a file that shrank the rest reads as zeros. */
    private static void readFully(FileChannel from, ByteBuffer dst, long offset)
            throws IOException {
        while (dst.hasRemaining()) {
            int n = from.read(dst, offset);
            if (n < 0) {
                while (dst.hasRemaining()) {
                    dst.put((byte) 0);
                }
                return;
            }
            offset += n;
        }
    }

    /**
     * The bytes at {@code offset} as a span of the file, for a transport that sends them from the
     * file; null when the file no longer holds them all (it shrank) or its size cannot be had, so
     * the caller reads instead and a plain read reports what it finds. Nothing is read here, so no
     * lock is needed: like a read in flight, the span's bytes are those in the file when they go
     * out.
     */
    @Override
    public FileSpan span(long offset, int length) {
        try {
            return offset + length <= channel.size() ? new FileSpan(channel, offset, length) : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean forceUnitAccess) throws IOException {
        write(offset, new ByteBuffer[] {src}, forceUnitAccess);
    }

    /**
     * One gathering write of all the pieces (see the class comment); through an aligned buffer when
     * direct and some piece is not aligned.
     */
    @Override
    public void write(long offset, ByteBuffer[] segments, boolean forceUnitAccess)
            throws IOException {
        Lock serial = serialWrites;
        if (serial != null) {
            serial.lock();
        }
        try {
            if (alignment > 1 && !aligned(segments)) {
                staged(offset, segments);
            } else {
                requireAligned(offset, remaining(segments));
                if (segments.length == 1) {
                    ByteBuffer src = segments[0];
                    while (src.hasRemaining()) {
                        offset += io.write(src, offset);
                    }
                } else {
                    gathered(offset, segments);
                }
            }
        } finally {
            if (serial != null) {
                serial.unlock();
            }
        }
        if (forceUnitAccess) {
            commits.sync();
        }
    }

    /** lseek and writev on a cursor of the store's own, so no other write moves its position. */
    private void gathered(long offset, ByteBuffer[] segments) throws IOException {
        Cursor c = cursor();
        try {
            c.channel.position(offset);
            int first = 0;
            while (first < segments.length) {
                c.channel.write(segments, first, segments.length - first);
                while (first < segments.length && !segments[first].hasRemaining()) {
                    first++;
                }
            }
        } finally {
            release(c);
        }
    }

    /** Copies the pieces into the cursor's aligned buffer, writing it out each time it is full. */
    private void staged(long offset, ByteBuffer[] segments) throws IOException {
        requireAligned(offset, remaining(segments));
        Cursor c = cursor();
        try {
            ByteBuffer stage = staging(c).clear();
            for (ByteBuffer piece : segments) {
                while (piece.hasRemaining()) {
                    int n = Math.min(piece.remaining(), stage.remaining());
                    stage.put(stage.position(), piece, piece.position(), n);
                    stage.position(stage.position() + n);
                    piece.position(piece.position() + n);
                    if (!stage.hasRemaining()) {
                        offset += writeOut(c.channel, stage, offset);
                    }
                }
            }
            if (stage.position() > 0) {
                writeOut(c.channel, stage, offset);
            }
        } finally {
            release(c);
        }
    }

    /** Writes the filled part of {@code stage} at {@code offset}; returns the bytes written. */
    private static int writeOut(FileChannel to, ByteBuffer stage, long offset) throws IOException {
        int n = stage.flip().remaining();
        while (stage.hasRemaining()) {
            offset += to.write(stage, offset);
        }
        stage.clear();
        return n;
    }

    private Cursor cursor() throws IOException {
        Cursor c = idleCursors.poll();
        if (c == null) {
            c = new Cursor(FileChannel.open(path, cursorOptions));
            allCursors.add(c);
        }
        return c;
    }

    /** Takes the cursor back; one whose channel an interrupt closed is dropped. */
    private void release(Cursor c) {
        if (c.channel.isOpen()) {
            idleCursors.add(c);
        } else {
            allCursors.remove(c);
        }
    }

    private static ByteBuffer staging(Cursor c) {
        if (c.staging == null) {
            c.staging = ByteBuffer.allocateDirect(STAGING_BYTES + PAGE).alignedSlice(PAGE);
        }
        return c.staging;
    }

    /** The buffer may go to O_DIRECT as it is: direct memory, its address and length aligned. */
    private boolean aligned(ByteBuffer b) {
        return b.isDirect()
                && b.alignmentOffset(b.position(), PAGE) == 0
                && b.remaining() % alignment == 0;
    }

    private boolean aligned(ByteBuffer[] segments) {
        for (ByteBuffer s : segments) {
            if (!aligned(s)) {
                return false;
            }
        }
        return true;
    }

    private static long remaining(ByteBuffer[] segments) {
        long n = 0;
        for (ByteBuffer s : segments) {
            n += s.remaining();
        }
        return n;
    }

    /** O_DIRECT I/O must start and end on the file system's blocks; the LUN's blocks ensure it. */
    private void requireAligned(long offset, long length) {
        if (alignment > 1 && (offset % alignment != 0 || length % alignment != 0)) {
            throw new IllegalArgumentException(
                    "O_DIRECT I/O of "
                            + length
                            + " bytes at "
                            + offset
                            + " is not aligned to "
                            + alignment
                            + " bytes");
        }
    }

    /**
     * Punches a hole over the range, giving its space back to the file system; where that is not
     * possible, overwrites it with zeros. Either way unmapped blocks read back as zeros (LBPRZ).
     */
    @Override
    public void unmap(long offset, long length) throws IOException {
        if (holes != null && holes.punch(offset, length)) {
            return;
        }
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(length, 1 << 20));
        long end = offset + length;
        while (offset < end) {
            int n = (int) Math.min(zeros.capacity(), end - offset);
            write(offset, zeros.clear().limit(n), false);
            offset += n;
        }
    }

    /** Shares a force with concurrent FUA writes and flushes ({@link GroupCommit}). */
    @Override
    public void flush() throws IOException {
        commits.sync();
    }

    /** Waits for the shared force without holding an I/O thread; {@code io} is not needed. */
    @Override
    public CompletableFuture<Void> flushAsync(Executor io) {
        return commits.syncAsync();
    }

    public Path path() {
        return path;
    }

    @Override
    public String describe() {
        return "file " + path + " " + Sizes.format(capacity) + (alignment > 1 ? " direct" : "");
    }

    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            channel.force(true);
            commits.close();
            for (Cursor c; (c = allCursors.poll()) != null; ) {
                c.channel.close();
            }
            if (io != channel) {
                io.close();
            }
            channel.close();
            if (holes != null) {
                holes.close();
            }
        }
    }

    @Override
    public Optional<Unmappable> unmapper() {
        return unmapper;
    }

    @Override
    public Optional<FileSpans> fileSpans() {
        return fileSpans;
    }

    @Override
    public Optional<Path> file() {
        return Optional.of(path);
    }
}
