package org.iscsilab.core.lu;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes to a store that takes them one at a time, run in arrival order by one I/O thread while
 * more keep coming. Handing each write to the pool on its own would wake a pool thread per write
 * only for it to wait for the write before it (a wake-up and a park per write, on a machine with
 * few cores a good part of the time a write takes); here the thread that runs the first write runs
 * those queued behind it too, and only a write that finds the queue empty wakes one.
 */
final class SerialWrites {
    private final Executor pool;
    private final Queue<Runnable> queued = new ConcurrentLinkedQueue<>();

    /** Writes queued or running; the one that raises it from 0 starts a drain. */
    private final AtomicInteger pending = new AtomicInteger();

    private final Runnable drain = this::drain;

    SerialWrites(Executor pool) {
        this.pool = pool;
    }

    <T> CompletableFuture<T> submit(LogicalUnit.IoAction<T> write) {
        CompletableFuture<T> done = new CompletableFuture<>();
        queued.add(
                () -> {
                    try {
                        done.complete(write.run());
                    } catch (Throwable t) {
                        done.completeExceptionally(t);
                    }
                });
        if (pending.getAndIncrement() == 0) {
            pool.execute(drain);
        }
        return done;
    }

    private void drain() {
        do {
            queued.poll().run();
        } while (pending.decrementAndGet() > 0);
    }
}
