package org.iscsilab.core.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Shares {@code force} calls among the callers that need their writes on stable storage at once
 * (group commit, as databases do for their logs). A caller has finished its write when it asks; its
 * future completes once a force that <em>began after the request</em> has ended, so its bytes were
 * in the file when that force started. While one force runs, every request that arrives joins the
 * next batch, and when the running force ends a single force starts for that whole batch. N
 * concurrent FUA writes thus cost two forces, not N.
 *
 * <p>Forces run on a thread of the group commit's own (made when needed, gone after ten idle
 * seconds), one after another while requests keep coming; callers wait without holding an I/O
 * thread ({@link #syncAsync}) or block ({@link #sync}). Holding I/O threads while waiting capped a
 * batch at the size of the I/O pool and starved the writes behind.
 *
 * <p>A failed force fails every caller of its batch: after fsync reports an error the kernel may
 * have dropped the dirty pages, so a later force succeeding proves nothing about them.
 */
public final class GroupCommit implements AutoCloseable {

    /** The force itself: fdatasync of the file, or whatever a test puts in its place. */
    @FunctionalInterface
    public interface Force {
        void force() throws IOException;
    }

    /** The callers one force covers. */
    private static final class Batch {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        int members;
    }

    private final Force force;
    private final ThreadPoolExecutor forcer;
    private final Object lock = new Object();

    /** The batch the next force will cover: every request arriving now joins it. */
    private Batch next = new Batch();

    /** A force is running; it began before {@link #next} was made, so it does not cover it. */
    private boolean running;

    private long forces;

    public GroupCommit(Force force) {
        this.force = force;
        this.forcer =
                new ThreadPoolExecutor(
                        0,
                        1,
                        10,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(),
                        r -> {
                            Thread t = new Thread(r, "force");
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Completes once a force that began after this call has ended, or fails with the IOException
     * that force threw. Called after the caller's write has returned.
     */
    public CompletableFuture<Void> syncAsync() {
        Batch batch;
        synchronized (lock) {
            batch = next;
            batch.members++;
            if (running) {
                return batch.done; // the thread ending the running force starts this batch's
            }
            next = new Batch();
            running = true;
            forces++;
        }
        try {
            forcer.execute(() -> forceFrom(batch));
        } catch (RejectedExecutionException e) {
            synchronized (lock) {
                running = false;
            }
            batch.done.completeExceptionally(new IOException("the store is closed", e));
        }
        return batch.done;
    }

    /** Returns once a force that began after this call has ended; throws what that force threw. */
    public void sync() throws IOException {
        try {
            syncAsync().get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IOException(cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a force");
        }
    }

    /** Forces for {@code batch}, then for each batch that gathered meanwhile, until none did. */
    private void forceFrom(Batch batch) {
        while (batch != null) {
            IOException failure = null;
            try {
                force.force();
            } catch (IOException e) {
                failure = new IOException("force failed: " + e.getMessage(), e);
            } catch (RuntimeException | Error e) {
                failure = new IOException("force failed: " + e, e);
            }
            Batch following = null;
            synchronized (lock) {
                if (next.members > 0) {
                    following = next;
                    next = new Batch();
                    forces++;
                } else {
                    running = false;
                }
            }
            if (failure == null) {
                batch.done.complete(null);
            } else {
                batch.done.completeExceptionally(failure);
            }
            batch = following;
        }
    }

    /** Forces started so far. */
    public long forces() {
        synchronized (lock) {
            return forces;
        }
    }

    /**
     * Requests waiting for a force that has not started yet (for tests that line callers up without
     * timing).
     */
    public int waiting() {
        synchronized (lock) {
            return next.members;
        }
    }

    /** Lets the force thread go once it has run what was asked of it. */
    @Override
    public void close() {
        forcer.shutdown();
    }
}
