package org.iscsilab.host.race;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.iscsilab.host.mid.ScsiHost;

/**
 * Runs several real threads through the real mid-layer code one at a time: each thread stops at
 * every yield point the mid-layer marks (the lock-free gaps of the modelled kernel) and continues
 * only when the schedule picks it. A schedule is the list of picks, by index among the threads
 * ready at that moment. A thread blocked elsewhere (on the state mutex, or draining a queue) is not
 * ready; when nothing can move any more the run is hung.
 */
final class DeterministicScheduler implements ScsiHost.YieldPoint {
    /** One racing thread's work. */
    interface Body {
        void run() throws Exception;
    }

    record Task(String name, Body body) {}

    /**
     * What one run did: the picks, how many threads were ready at each, the steps taken, whether it
     * hung.
     */
    record Run(List<Integer> picks, List<Integer> ready, List<String> steps, boolean hung) {}

    private static final long BLOCKED_AFTER_MS = 30;
    private static final long HUNG_AFTER_MS = 300;

    private final class Gate {
        final Task task;
        final Semaphore go = new Semaphore(0);
        volatile boolean atPoint = true;
        volatile String point = "start";
        volatile boolean done;
        Thread thread;

        Gate(Task task) {
            this.task = task;
        }
    }

    private final Map<Thread, Gate> gates = new IdentityHashMap<>();
    private final Semaphore moved = new Semaphore(0);

    @Override
    public void reached(String point) throws InterruptedException {
        Gate g;
        synchronized (gates) {
            g = gates.get(Thread.currentThread());
        }
        if (g == null) {
            return; // a thread the schedule does not run
        }
        g.point = point;
        g.atPoint = true;
        moved.release();
        g.go.acquire();
        g.atPoint = false;
    }

    /**
     * Waits until no thread is runnable outside a yield point (one the move released, e.g. from the
     * state mutex, has reached its next point or blocked again), so the ready set the next pick
     * chooses from does not depend on timing.
     */
    private static void settle(List<Gate> all) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BLOCKED_AFTER_MS);
        int quiet = 0;
        while (quiet < 2 && System.nanoTime() < deadline) {
            boolean busy =
                    all.stream()
                            .anyMatch(
                                    g ->
                                            !g.done
                                                    && !g.atPoint
                                                    && g.thread.getState()
                                                            == Thread.State.RUNNABLE);
            quiet = busy ? 0 : quiet + 1;
            Thread.sleep(1);
        }
    }

    Run run(List<Task> tasks, List<Integer> prefix) throws InterruptedException {
        List<Gate> all = new ArrayList<>();
        for (Task t : tasks) {
            Gate g = new Gate(t);
            g.thread =
                    new Thread(
                            () -> {
                                try {
                                    g.go.acquire();
                                    g.atPoint = false;
                                    t.body().run();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                } catch (Exception e) {
                                    // the task's own failure is part of what the race produced
                                } finally {
                                    g.done = true;
                                    moved.release();
                                }
                            },
                            "race-" + t.name());
            g.thread.setDaemon(true);
            synchronized (gates) {
                gates.put(g.thread, g);
            }
            all.add(g);
        }
        all.forEach(g -> g.thread.start());
        List<Integer> picks = new ArrayList<>();
        List<Integer> readyCounts = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        boolean hung = false;
        long idleSince = -1;
        while (true) {
            List<Gate> ready = all.stream().filter(g -> !g.done && g.atPoint).toList();
            if (all.stream().allMatch(g -> g.done)) {
                break;
            }
            if (ready.isEmpty()) {
                // everyone left is running or blocked: wait for a move, or call it hung
                if (!moved.tryAcquire(BLOCKED_AFTER_MS, TimeUnit.MILLISECONDS)) {
                    if (idleSince < 0) {
                        idleSince = System.nanoTime();
                    } else if (System.nanoTime() - idleSince
                            > TimeUnit.MILLISECONDS.toNanos(HUNG_AFTER_MS)) {
                        hung = true;
                        break;
                    }
                }
                continue;
            }
            idleSince = -1;
            int i = picks.size();
            int pick = i < prefix.size() ? prefix.get(i) : 0;
            Gate chosen = ready.get(pick);
            picks.add(pick);
            readyCounts.add(ready.size());
            steps.add(chosen.task.name() + " from " + chosen.point);
            chosen.atPoint = false;
            chosen.go.release();
            // let it run to its next point, its end, or until it blocks elsewhere
            long start = System.nanoTime();
            while (!chosen.done
                    && !chosen.atPoint
                    && System.nanoTime() - start
                            < TimeUnit.MILLISECONDS.toNanos(BLOCKED_AFTER_MS)) {
                moved.tryAcquire(5, TimeUnit.MILLISECONDS);
            }
            settle(all);
        }
        for (Gate g : all) {
            if (!g.done) {
                g.thread.interrupt();
                g.go.release();
                g.thread.join(500);
            }
        }
        return new Run(picks, readyCounts, steps, hung);
    }
}
