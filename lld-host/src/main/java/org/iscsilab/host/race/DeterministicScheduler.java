package org.iscsilab.host.race;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.iscsilab.host.mid.ScsiHost;

/**
 * Runs several real threads through the real mid-layer code one at a time: each thread stops at
 * every yield point the mid-layer marks (the lock-free gaps of the modelled kernel) and continues
 * only when the schedule picks it. A schedule is the list of picks, by index among the threads
 * ready at that moment. A thread that waits elsewhere says so ({@link #waiting}: the state mutex
 * another thread holds, a queue that cannot drain while stopped), with a test of whether it still
 * waits; the end of its wait is a yield point of its own, so a thread another one woke never runs
 * beside it; when no thread is at a yield point and every one left still waits, the run is hung.
 *
 * <p>No timer decides anything: after each step the scheduler waits until every thread is at a
 * yield point, finished, or provably waiting for another, so the same schedule gives the same run
 * on any machine under any load. Only a thread that runs on without ever reaching a yield point (a
 * livelock) ends the run after {@link #LIVELOCK_SECONDS}, counted as hung.
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

    static final long LIVELOCK_SECONDS = 10;

    /** Where a racing thread is. */
    private enum Phase {
        AT_POINT,
        RUNNING,
        WAITING,
        DONE
    }

    private static final class Gate {
        final Task task;
        final Semaphore go = new Semaphore(0);
        volatile Phase phase = Phase.AT_POINT;
        volatile String point = "start";
        volatile BooleanSupplier stillWaiting = () -> false;
        Thread thread;

        Gate(Task task) {
            this.task = task;
        }

        /** At a point, finished, or waiting for something only another thread can give. */
        boolean settled() {
            return switch (phase) {
                case AT_POINT, DONE -> true;
                case WAITING -> stillWaiting.getAsBoolean();
                case RUNNING -> false;
            };
        }
    }

    private final Map<Thread, Gate> gates = new IdentityHashMap<>();

    private Gate gate() {
        synchronized (gates) {
            return gates.get(Thread.currentThread());
        }
    }

    @Override
    public void reached(String point) throws InterruptedException {
        Gate g = gate();
        if (g == null) {
            return; // a thread the schedule does not run
        }
        g.point = point;
        g.phase = Phase.AT_POINT;
        g.go.acquire();
    }

    @Override
    public void waiting(String what, BooleanSupplier stillWaiting) {
        Gate g = gate();
        if (g != null) {
            g.stillWaiting = stillWaiting;
            g.phase = Phase.WAITING;
        }
    }

    @Override
    public void doneWaiting(String what) throws InterruptedException {
        reached(what);
    }

    /** Waits until every thread has settled; false when one never does (a livelock). */
    private static boolean settle(List<Gate> all) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIVELOCK_SECONDS);
        while (!all.stream().allMatch(Gate::settled)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.yield();
        }
        return true;
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
                                    t.body().run();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                } catch (Exception e) {
                                    // the task's own failure is part of what the race produced
                                } finally {
                                    g.phase = Phase.DONE;
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
        while (true) {
            if (!settle(all)) {
                hung = true;
                break;
            }
            if (all.stream().allMatch(g -> g.phase == Phase.DONE)) {
                break;
            }
            List<Gate> ready = all.stream().filter(g -> g.phase == Phase.AT_POINT).toList();
            if (ready.isEmpty()) {
                hung = true; // everyone left waits for something only another waiter can give
                break;
            }
            int i = picks.size();
            int pick = i < prefix.size() ? prefix.get(i) : 0;
            if (pick >= ready.size()) {
                StringBuilder state = new StringBuilder();
                for (Gate g : all) {
                    state.append(' ')
                            .append(g.task.name())
                            .append('=')
                            .append(g.phase)
                            .append('@')
                            .append(g.point);
                }
                throw new IllegalStateException(
                        "the schedule "
                                + prefix
                                + " picks "
                                + pick
                                + " of "
                                + ready.size()
                                + " ready at step "
                                + i
                                + " after "
                                + steps
                                + ";"
                                + state);
            }
            Gate chosen = ready.get(pick);
            picks.add(pick);
            readyCounts.add(ready.size());
            steps.add(chosen.task.name() + " from " + chosen.point);
            chosen.phase = Phase.RUNNING;
            chosen.go.release();
        }
        for (Gate g : all) {
            if (g.phase != Phase.DONE) {
                g.thread.interrupt();
                g.go.release();
                g.thread.join(TimeUnit.SECONDS.toMillis(1));
            }
        }
        return new Run(picks, readyCounts, steps, hung);
    }
}
