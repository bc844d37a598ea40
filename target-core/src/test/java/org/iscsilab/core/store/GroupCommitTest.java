package org.iscsilab.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Group commit: callers share forces, yet each returns only after a force that began once its write
 * was done. Callers are lined up through {@link GroupCommit#waiting()}, not by timing.
 */
class GroupCommitTest {

    /**
     * A force that records which writes were done when it began; those become durable when it ends.
     * The first force waits until {@code holdFirstUntil} callers queue behind it.
     */
    private static final class ObservingForce implements GroupCommit.Force {
        final Set<Integer> written = ConcurrentHashMap.newKeySet();
        final Set<Integer> durable = ConcurrentHashMap.newKeySet();
        final int holdFirstUntil;
        GroupCommit commits;
        int started;

        ObservingForce(int holdFirstUntil) {
            this.holdFirstUntil = holdFirstUntil;
        }

        @Override
        public void force() throws IOException {
            Set<Integer> atStart = Set.copyOf(written);
            if (started++ == 0) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (commits.waiting() < holdFirstUntil && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            }
            durable.addAll(atStart);
        }
    }

    @Test
    void concurrentCallersShareForcesAndEachIsCoveredByAForceThatBeganAfterItsWrite()
            throws Exception {
        int writers = 16;
        ObservingForce force = new ObservingForce(writers - 1);
        GroupCommit commits = new GroupCommit(force);
        force.commits = commits;
        Concurrently.run(
                writers,
                id -> {
                    force.written.add(id); // the write is done
                    commits.sync();
                    // acknowledged: a force that began after the write has ended
                    assertTrue(force.durable.contains(id), "write " + id + " acknowledged early");
                });
        // one force for the first caller, one for the fifteen that queued behind it
        assertEquals(2, commits.forces());
        assertEquals(writers, force.durable.size());
    }

    @Test
    void aForceRunningWhenACallerArrivesDoesNotCoverIt() throws Exception {
        CountDownLatch inFirstForce = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        List<String> log = new ArrayList<>();
        GroupCommit commits =
                new GroupCommit(
                        () -> {
                            synchronized (log) {
                                log.add("force begins");
                            }
                            if (inFirstForce.getCount() > 0) {
                                inFirstForce.countDown();
                                await(releaseFirst);
                            }
                        });
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> first =
                    pool.submit(
                            () -> {
                                commits.sync();
                                return null;
                            });
            inFirstForce.await();
            Future<?> second =
                    pool.submit(
                            () -> {
                                commits.sync();
                                synchronized (log) {
                                    log.add("second acknowledged");
                                }
                                return null;
                            });
            while (commits.waiting() < 1) {
                Thread.onSpinWait();
            }
            releaseFirst.countDown();
            first.get(10, TimeUnit.SECONDS);
            second.get(10, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of("force begins", "force begins", "second acknowledged"), log);
        assertEquals(2, commits.forces());
    }

    /**
     * Requests wait without a thread each: thirty-two made from one thread while a force runs are
     * all released by the next single force.
     */
    @Test
    void asyncRequestsQueuedBehindARunningForceShareTheNextOne() throws Exception {
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        GroupCommit commits =
                new GroupCommit(
                        () -> {
                            if (inFirst.getCount() > 0) {
                                inFirst.countDown();
                                await(releaseFirst);
                            }
                        });
        CompletableFuture<Void> first = commits.syncAsync();
        inFirst.await();
        List<CompletableFuture<Void>> queued = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            queued.add(commits.syncAsync());
        }
        assertEquals(32, commits.waiting());
        assertTrue(queued.stream().noneMatch(CompletableFuture::isDone));
        releaseFirst.countDown();
        first.get(10, TimeUnit.SECONDS);
        CompletableFuture.allOf(queued.toArray(new CompletableFuture<?>[0]))
                .get(10, TimeUnit.SECONDS);
        assertEquals(2, commits.forces());
        commits.close();
    }

    @Test
    void aFailedForceFailsEveryCallerItCovered() {
        GroupCommit commits =
                new GroupCommit(
                        () -> {
                            throw new IOException("EIO");
                        });
        IOException e = assertThrows(IOException.class, commits::sync);
        assertTrue(e.getMessage().contains("EIO"), e.getMessage());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
