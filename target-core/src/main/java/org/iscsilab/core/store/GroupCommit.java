package org.iscsilab.core.store;

import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * Shares {@code force} calls among the threads that need their writes on stable storage at once
 * (group commit, as databases do for their logs). A caller of {@link #sync} has finished its write;
 * it returns once a force that <em>began after the call</em> has ended, so its bytes were in the
 * file when that force started. While one force runs, every caller that arrives joins the next
 * batch; when the running force ends, one of them starts a single force for the whole batch. N
 * concurrent FUA writes thus cost two forces, not N.
 *
 * <p>A failed force fails every caller of its batch: after fsync reports an error the kernel may
 * have dropped the dirty pages, so a later force succeeding proves nothing about them.
 */
public final class GroupCommit {

    /** The force itself: fdatasync of the file, or whatever a test puts in its place. */
    @FunctionalInterface
    public interface Force {
        void force() throws IOException;
    }

    /** The callers one force covers. */
    private static final class Batch {
        boolean done;
        IOException failure;
        int members;
    }

    private final Force force;
    private final Object lock = new Object();

    /** The batch the next force will cover: every caller arriving now joins it. */
    private Batch next = new Batch();

    /** A force is running; it began before {@link #next} was made, so it does not cover it. */
    private boolean running;

    private long forces;

    public GroupCommit(Force force) {
        this.force = force;
    }

    /**
     * Returns once a force that began after this call has ended; throws what that force threw.
     * Called after the caller's write has returned.
     */
    public void sync() throws IOException {
        Batch batch;
        synchronized (lock) {
            batch = next;
            batch.members++;
            try {
                while (running && !batch.done) {
                    lock.wait();
                }
            } catch (InterruptedException e) {
                batch.members--;
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for a force");
            }
            if (batch.done) {
                outcome(batch);
                return;
            }
            // no force runs and this batch has not started: this caller forces for all of it
            next = new Batch();
            running = true;
            forces++;
        }
        // stays set unless the force returns: a force that threw anything fails the whole batch
        IOException failure = new IOException("force ended abnormally");
        try {
            force.force();
            failure = null;
        } catch (IOException e) {
            failure = e;
        } finally {
            synchronized (lock) {
                running = false;
                batch.done = true;
                batch.failure = failure;
                lock.notifyAll();
            }
        }
        outcome(batch);
    }

    private static void outcome(Batch batch) throws IOException {
        if (batch.failure != null) {
            throw new IOException("force failed: " + batch.failure.getMessage(), batch.failure);
        }
    }

    /** Forces started so far. */
    public long forces() {
        synchronized (lock) {
            return forces;
        }
    }

    /**
     * Callers waiting for a force that has not started yet (for tests that line callers up without
     * timing).
     */
    public int waiting() {
        synchronized (lock) {
            return next.members;
        }
    }
}
