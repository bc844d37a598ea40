package org.iscsilab.core.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A store in a regular file or block device, through a FileChannel. A size larger than the file
 * extends it sparsely; unmapped ranges become holes again. FUA writes and {@link #flush()} call
 * {@code force} before returning, so status GOOD for them means the data is on stable storage.
 */
public final class FileStore implements BackingStore, Unmappable, FileSpans {
    private final Optional<Unmappable> unmapper = Optional.of(this);
    private final Optional<FileSpans> fileSpans = Optional.of(this);

    private final Path path;
    private final FileChannel channel;
    private volatile long capacity;
    private final HolePuncher holes;

    public FileStore(Path path, long sizeBytes, boolean readOnly) throws IOException {
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
        long existing = channel.size();
        if (sizeBytes > 0) {
            if (existing < sizeBytes) {
                if (readOnly) {
                    channel.close();
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
                channel.close();
                if (!readOnly && Files.size(path) == 0) {
                    Files.deleteIfExists(path);
                }
                throw new IOException(path + " is empty; give a size, e.g. file:" + path + ":1G");
            }
            this.capacity = existing;
        }
        this.holes = readOnly ? null : HolePuncher.open(path);
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
    public void read(long offset, ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst, offset);
            if (n < 0) {
                // past the physical end of a file that shrank: the rest reads as zeros
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
        while (src.hasRemaining()) {
            offset += channel.write(src, offset);
        }
        if (forceUnitAccess) {
            channel.force(false);
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
            zeros.clear().limit((int) Math.min(zeros.capacity(), end - offset));
            while (zeros.hasRemaining()) {
                offset += channel.write(zeros, offset);
            }
        }
    }

    @Override
    public void flush() throws IOException {
        channel.force(false);
    }

    public Path path() {
        return path;
    }

    @Override
    public String describe() {
        return "file " + path + " " + Sizes.format(capacity);
    }

    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            channel.force(true);
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
