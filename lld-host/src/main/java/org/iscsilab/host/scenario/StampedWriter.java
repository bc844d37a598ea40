package org.iscsilab.host.scenario;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.iscsilab.host.mid.HostResult;
import org.iscsilab.host.multipath.MultipathDevice;

/**
 * A writer of {@link StampedBlocks} through a multipath device, one write at a time on a thread of
 * its own, as the Linux guest's writer does: it counts acknowledged writes, keeps the longest pause
 * between two of them per label (the case running), and stops at the first write that fails, which
 * is an I/O error that reached the workload.
 */
final class StampedWriter implements AutoCloseable {
    private static final int SECTORS_PER_BLOCK = StampedBlocks.BLOCK_SIZE / 512;

    private final MultipathDevice mpath;
    private final int blocks;
    private final Duration writeTimeout;
    private final Thread thread;
    private final AtomicLong writes = new AtomicLong();
    private final Map<String, Long> longestPause = new ConcurrentHashMap<>();
    private final Map<String, Integer> errors = new ConcurrentHashMap<>();
    private volatile String label = "start";
    private volatile boolean stop;
    private volatile String error;

    /** The last acknowledged write and the failed one, published together. */
    private final AtomicReference<StampedBlocks> position;

    /**
     * Starts writing {@code blocks} blocks of 4 KiB in rounds; a write not acknowledged within
     * {@code writeTimeout} counts as failed.
     */
    StampedWriter(MultipathDevice mpath, int blocks, Duration writeTimeout) {
        this.mpath = mpath;
        this.blocks = blocks;
        this.writeTimeout = writeTimeout;
        this.position = new AtomicReference<>(new StampedBlocks(blocks, 0, -1));
        this.thread = new Thread(this::write, "multipath-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** The label the following writes' pauses and errors are counted under. */
    void label(String label) {
        this.label = label;
    }

    long writes() {
        return writes.get();
    }

    /** The first failed write, or null. */
    String error() {
        return error;
    }

    int errors(String label) {
        return errors.getOrDefault(label, 0);
    }

    /** The longest time between two acknowledged writes under {@code label}, in ms. */
    long longestPauseMillis(String label) {
        return longestPause.getOrDefault(label, 0L);
    }

    /**
     * Stops after the write in progress; where the writer stopped.
     *
     * @throws IllegalStateException if it is still writing after {@code wait}
     */
    StampedBlocks stop(Duration wait) throws InterruptedException {
        stop = true;
        thread.join(wait.toMillis());
        if (thread.isAlive()) {
            throw new IllegalStateException(
                    "the writer did not stop within " + wait.toMillis() + " ms: a write hangs");
        }
        return position.get();
    }

    /** What a read back found: blocks that held their stamps, and the others. */
    record Verification(int verified, List<String> mismatches) {}

    /** The blocks as the multipath device reads them back, checked against what was written. */
    Verification verify(StampedBlocks written, Duration timeout) throws Exception {
        HostResult r =
                mpath.read(0, blocks * SECTORS_PER_BLOCK)
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!r.good()) {
            return new Verification(0, List.of("reading the written blocks back failed: " + r));
        }
        List<String> mismatches = written.mismatches(r.data());
        return new Verification(blocks - mismatches.size(), mismatches);
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
    }

    private void write() {
        long last = System.nanoTime();
        for (int round = 1; !stop; round++) {
            for (int block = 0; block < blocks && !stop; block++) {
                HostResult r;
                try {
                    r =
                            mpath.write(
                                            (long) block * SECTORS_PER_BLOCK,
                                            StampedBlocks.stamp(round, block))
                                    .get(writeTimeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    r = null;
                }
                if (r == null || !r.good()) {
                    StampedBlocks at = position.get();
                    position.set(
                            new StampedBlocks(
                                    blocks, at.lastRound(), at.lastBlock(), round, block));
                    error =
                            "round "
                                    + round
                                    + " block "
                                    + block
                                    + ": "
                                    + (r == null ? "no answer" : r);
                    errors.merge(label, 1, Integer::sum);
                    return;
                }
                position.set(new StampedBlocks(blocks, round, block));
                writes.incrementAndGet();
                long now = System.nanoTime();
                longestPause.merge(label, TimeUnit.NANOSECONDS.toMillis(now - last), Math::max);
                last = now;
            }
        }
    }
}
