package org.iscsilab.core.lu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** The write queue runs writes one at a time, in order, and wakes the pool only when idle. */
class SerialWritesTest {

    /** A pool that runs what it is given only when told, and counts what it was given. */
    private static final class ManualPool implements Executor {
        final Queue<Runnable> given = new ArrayDeque<>();
        int executions;

        @Override
        public void execute(Runnable r) {
            executions++;
            given.add(r);
        }

        void runAll() {
            for (Runnable r; (r = given.poll()) != null; ) {
                r.run();
            }
        }
    }

    @Test
    void writesQueuedWhileOneIsPendingRunInOrderOnTheThreadOfTheFirst() {
        ManualPool pool = new ManualPool();
        SerialWrites writes = new SerialWrites(pool);
        List<Integer> ran = new ArrayList<>();
        List<CompletableFuture<Integer>> done = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int id = i;
            done.add(
                    writes.submit(
                            () -> {
                                ran.add(id);
                                return id;
                            }));
        }
        assertEquals(1, pool.executions, "only the first write wakes the pool");
        assertFalse(done.get(0).isDone());
        pool.runAll();
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), ran);
        for (int i = 0; i < 10; i++) {
            assertEquals(i, done.get(i).join());
        }
        // idle again: the next write wakes the pool once more
        writes.submit(() -> 10);
        assertEquals(2, pool.executions);
        pool.runAll();
    }

    @Test
    void aFailedWriteFailsOnlyItsOwnFuture() {
        ManualPool pool = new ManualPool();
        SerialWrites writes = new SerialWrites(pool);
        CompletableFuture<Integer> bad =
                writes.submit(
                        () -> {
                            throw new IOException("EIO");
                        });
        CompletableFuture<Integer> good = writes.submit(() -> 2);
        pool.runAll();
        assertTrue(bad.isCompletedExceptionally());
        assertEquals(2, good.join());
    }
}
