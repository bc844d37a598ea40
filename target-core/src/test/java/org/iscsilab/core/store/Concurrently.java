package org.iscsilab.core.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs a body on several threads at once and waits for all; a failure of any is rethrown. */
final class Concurrently {
    private Concurrently() {}

    /** What each thread does, given its number. */
    @FunctionalInterface
    interface Body {
        void run(int id) throws Exception;
    }

    static void run(int threads, Body body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int id = i;
                done.add(
                        pool.submit(
                                () -> {
                                    go.await();
                                    body.run(id);
                                    return null;
                                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
