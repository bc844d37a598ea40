package org.iscsilab.core.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The bytes behind a logical unit. Offsets and lengths are in bytes and already checked against the
 * capacity by the command layer.
 */
public interface BackingStore extends AutoCloseable {

    long capacityBytes();

    /**
     * Changes the capacity while the store is in use. Growing adds bytes that read as zeros;
     * shrinking discards what lies past the new end.
     */
    void resize(long newCapacityBytes) throws IOException;

    /** True when I/O may block the calling thread (file I/O); such stores run on the I/O pool. */
    boolean blocking();

    /** Fills {@code dst} from its position to its limit with the bytes at {@code offset}. */
    void read(long offset, ByteBuffer dst) throws IOException;

    /**
     * Writes {@code src} at {@code offset}. With {@code forceUnitAccess} the bytes are on stable
     * storage when this returns (SBC-4 §5.11 FUA).
     */
    void write(long offset, ByteBuffer src, boolean forceUnitAccess) throws IOException;

    /**
     * Writes the segments one after another from {@code offset}, as one write of their
     * concatenation: the data-out of a command as it arrived in several PDUs, not gathered into one
     * buffer first. With {@code forceUnitAccess} all of it is on stable storage when this returns.
     */
    default void write(long offset, ByteBuffer[] segments, boolean forceUnitAccess)
            throws IOException {
        for (int i = 0; i < segments.length; i++) {
            int n = segments[i].remaining();
            // forcing after the last segment makes the earlier ones durable too
            write(offset, segments[i], forceUnitAccess && i == segments.length - 1);
            offset += n;
        }
    }

    /**
     * True when the store runs writes one at a time however many threads issue them (a buffered
     * regular file: the kernel holds its inode lock across each write); the logical unit then
     * queues its writes instead of handing each to an I/O thread of its own.
     */
    default boolean serialWrites() {
        return false;
    }

    /** Makes every completed write durable (SBC-4 §5.26 SYNCHRONIZE CACHE). */
    void flush() throws IOException;

    /**
     * {@link #flush()} as a future: by default run on {@code io}; a store that can wait for its
     * flush without a thread (a shared force) completes the future itself.
     */
    default CompletableFuture<Void> flushAsync(Executor io) {
        return CompletableFuture.runAsync(
                () -> {
                    try {
                        flush();
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                },
                io);
    }

    /** A short human description, e.g. "ram 1 GiB". */
    String describe();

    @Override
    void close() throws IOException;

    // Capabilities: what a store can do beyond reading and writing bytes. The units and command
    // sets
    // ask for a capability instead of testing the store's class (LIO's backend ops, SPDK's bdev io
    // types).

    /**
     * Giving back the space of byte ranges, for thin provisioning (SBC-4 §4.7); empty when it
     * cannot.
     */
    default Optional<Unmappable> unmapper() {
        return Optional.empty();
    }

    /**
     * Handing out byte ranges as file spans a transport can send without reading them; empty when
     * it cannot.
     */
    default Optional<FileSpans> fileSpans() {
        return Optional.empty();
    }

    /** Copying the whole content aside and back (test suites); empty when it cannot. */
    default Optional<Snapshots> snapshots() {
        return Optional.empty();
    }

    /**
     * The file the bytes live in, for state kept beside it (APTPL, SPC-5 §5.14.5); empty for
     * memory.
     */
    default Optional<Path> file() {
        return Optional.empty();
    }
}
