package org.iscsilab.host.scenario;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
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
    private volatile int lastRound;
    private volatile int lastBlock = -1;

    /**
     * Starts writing {@code blocks} blocks of 4 KiB in rounds; a write not acknowledged within
     * {@code writeTimeout} counts as failed.
     */
    StampedWriter(MultipathDevice mpath, int blocks, Duration writeTimeout) {
        this.mpath = mpath;
        this.blocks = blocks;
        this.writeTimeout = writeTimeout;
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

    /** Whether a write was sent and is not acknowledged yet: the writer waits for it. */
    boolean waiting() {
        return thread.isAlive() && error == null;
    }

    /** Stops after the write in progress (waiting up to {@code wait}); where the writer stopped. */
    StampedBlocks stop(Duration wait) throws InterruptedException {
        stop = true;
        thread.join(wait.toMillis());
        return new StampedBlocks(blocks, lastRound, lastBlock);
    }

    /** The blocks as the multipath device reads them back, checked against what was written. */
    List<String> verify(StampedBlocks written, Duration timeout) throws Exception {
        HostResult r =
                mpath.read(0, blocks * SECTORS_PER_BLOCK)
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!r.good()) {
            return List.of("reading the written blocks back failed: " + r);
        }
        return written.mismatches(r.data());
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
                lastRound = round;
                lastBlock = block;
                writes.incrementAndGet();
                long now = System.nanoTime();
                longestPause.merge(label, TimeUnit.NANOSECONDS.toMillis(now - last), Math::max);
                last = now;
            }
        }
    }
}
