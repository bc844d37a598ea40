package org.iscsilab.core.lu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The task set of one logical unit (SAM-5 §4.6.22; one task set shared by every I_T nexus, the TST
 * 000b model the Control mode page reports). Every task the unit accepts is in it from arrival to
 * completion, so task management finds it; and its task attribute decides when it may start (SAM-5
 * §8.6):
 *
 * <ul>
 *   <li>SIMPLE (and untagged, which RFC 7143 §11.3.1 carries as attribute 0): starts once every
 *       older ORDERED and HEAD OF QUEUE task has completed;
 *   <li>ORDERED: starts once every older task has completed, and holds back every newer one except
 *       HEAD OF QUEUE tasks;
 *   <li>HEAD OF QUEUE: starts at once, and counts as older than every task already waiting.
 * </ul>
 *
 * A task that may not start yet is dormant; it starts when the tasks it waits for complete or are
 * aborted. With only SIMPLE tasks in the set every task starts on arrival, on the caller's thread,
 * and the set costs one linked-list insertion and removal per command.
 */
public final class TaskSet {
    /** One task in the set, in a doubly linked list that keeps SAM's age order (head = oldest). */
    private static final class Entry {
        // a class literal cannot carry a type argument: the updater's type is the raw future
        @SuppressWarnings("rawtypes")
        static final AtomicReferenceFieldUpdater<Entry, CompletableFuture> RESULT =
                AtomicReferenceFieldUpdater.newUpdater(
                        Entry.class, CompletableFuture.class, "result");

        final ScsiTask task;
        final boolean orders; // ORDERED or HEAD OF QUEUE: newer tasks wait for it
        final Function<ScsiTask, CompletableFuture<ScsiOutcome>> start;

        /**
         * What the caller was given: the running future itself, or one of its own (a task that
         * waited, or one aborted while starting). Set once, by whoever comes first.
         */
        volatile CompletableFuture<ScsiOutcome> result;

        boolean started;
        Entry prev;
        Entry next;

        Entry(ScsiTask task, Function<ScsiTask, CompletableFuture<ScsiOutcome>> start) {
            this.task = task;
            this.orders =
                    task.attribute() == TaskAttribute.ORDERED
                            || task.attribute() == TaskAttribute.HEAD_OF_QUEUE;
            this.start = start;
        }
    }

    private Entry head;
    private Entry tail;
    private int size;

    /** ORDERED and HEAD OF QUEUE tasks in the set: while none is, nothing is ever dormant. */
    private int ordering;

    /**
     * Enters a task and starts it when its attribute allows: {@code start} runs the command (a
     * function of the task, so a unit passes one made once rather than a lambda per command). The
     * returned future completes with the command's outcome, or with a {@link CancellationException}
     * when task management aborts the task.
     */
    public CompletableFuture<ScsiOutcome> submit(
            ScsiTask task, Function<ScsiTask, CompletableFuture<ScsiOutcome>> start) {
        Entry e = new Entry(task, start);
        boolean startNow;
        synchronized (this) {
            if (task.attribute() == TaskAttribute.HEAD_OF_QUEUE) {
                linkFirst(e);
                startNow = true;
            } else {
                linkLast(e);
                startNow =
                        (ordering == 0 && !e.orders)
                                || mayStart(e); // the fast path: only SIMPLE tasks
            }
            if (e.orders) {
                ordering++;
            }
            e.started = startNow;
            if (!startNow) {
                e.result = new CompletableFuture<>();
                return e.result;
            }
        }
        return run(e);
    }

    /**
     * Starts an entry already marked started, outside the lock, and removes it when it completes.
     */
    @SuppressWarnings("unchecked")
    private CompletableFuture<ScsiOutcome> run(Entry e) {
        CompletableFuture<ScsiOutcome> running;
        try {
            running = e.start.apply(e.task);
        } catch (RuntimeException ex) {
            running = CompletableFuture.failedFuture(ex);
        }
        // the caller gets the running future itself (no extra stage), unless an abort or a wait
        // came first
        CompletableFuture<ScsiOutcome> given =
                Entry.RESULT.compareAndSet(e, null, running) ? running : e.result;
        if (given != running) {
            // a dormant task's caller holds a future of its own: pass the outcome on
            running.whenComplete(
                    (o, err) -> {
                        if (err != null) {
                            given.completeExceptionally(err);
                        } else {
                            given.complete(o);
                        }
                    });
        }
        if (running.isDone()) {
            completed(e);
        } else {
            running.whenComplete((o, err) -> completed(e));
        }
        return given;
    }

    /**
     * SAM-5 §8.6: may this dormant (or arriving) task start, given the older tasks still in the
     * set?
     */
    private boolean mayStart(Entry e) {
        boolean ordered = e.task.attribute() == TaskAttribute.ORDERED;
        for (Entry older = e.prev; older != null; older = older.prev) {
            if (ordered || older.orders) {
                return false;
            }
        }
        return true;
    }

    private void completed(Entry e) {
        List<Entry> startable;
        synchronized (this) {
            if (!unlink(e)) {
                return; // aborted earlier
            }
            startable = e.orders || ordering > 0 ? startable() : List.of();
        }
        for (Entry x : startable) { // a loop, not forEach: no method reference made per command
            run(x);
        }
    }

    /**
     * Marks started, and returns, the dormant tasks that may start now. Called holding the lock.
     */
    private List<Entry> startable() {
        List<Entry> out = null;
        for (Entry x = head; x != null; x = x.next) {
            if (!x.started && mayStart(x)) {
                x.started = true;
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.add(x);
            }
        }
        return out == null ? List.of() : out;
    }

    /**
     * Aborts the tasks that match (SAM-5 §7: ABORT TASK, ABORT TASK SET, CLEAR TASK SET, resets,
     * I_T nexus loss): they leave the set and their futures complete with a {@link
     * CancellationException}; a task already running may still finish its work on the medium, but
     * its outcome is discarded. Dormant tasks they held back may start. Returns the aborted tasks,
     * oldest first.
     */
    public List<ScsiTask> abort(Predicate<ScsiTask> which) {
        List<Entry> aborted = new ArrayList<>();
        List<Entry> startable;
        synchronized (this) {
            for (Entry x = head; x != null; ) {
                Entry next = x.next;
                if (which.test(x.task)) {
                    unlink(x);
                    aborted.add(x);
                }
                x = next;
            }
            startable = aborted.isEmpty() ? List.of() : startable();
        }
        List<ScsiTask> tasks = new ArrayList<>(aborted.size());
        for (Entry x : aborted) {
            // a task started whose start has not returned yet gets its caller's future from here
            Entry.RESULT.compareAndSet(x, null, new CompletableFuture<ScsiOutcome>());
            x.result.completeExceptionally(
                    new CancellationException("task aborted by task management"));
            tasks.add(x.task);
        }
        startable.forEach(this::run);
        return tasks;
    }

    /** The tasks in the set, oldest first, started or dormant. */
    public synchronized List<ScsiTask> tasks() {
        List<ScsiTask> out = new ArrayList<>(size);
        for (Entry x = head; x != null; x = x.next) {
            out.add(x.task);
        }
        return out;
    }

    /**
     * Tasks in the set that have not started yet (held back by an ORDERED or HEAD OF QUEUE task).
     */
    public synchronized int dormant() {
        int n = 0;
        for (Entry x = head; x != null; x = x.next) {
            if (!x.started) {
                n++;
            }
        }
        return n;
    }

    public synchronized int size() {
        return size;
    }

    private void linkLast(Entry e) {
        e.prev = tail;
        if (tail == null) {
            head = e;
        } else {
            tail.next = e;
        }
        tail = e;
        size++;
    }

    private void linkFirst(Entry e) {
        e.next = head;
        if (head == null) {
            tail = e;
        } else {
            head.prev = e;
        }
        head = e;
        size++;
    }

    /** False when the entry was no longer in the set. */
    private boolean unlink(Entry e) {
        if (e.prev == null && head != e) {
            return false;
        }
        if (e.prev == null) {
            head = e.next;
        } else {
            e.prev.next = e.next;
        }
        if (e.next == null) {
            tail = e.prev;
        } else {
            e.next.prev = e.prev;
        }
        e.prev = null;
        e.next = null;
        size--;
        if (e.orders) {
            ordering--;
        }
        return true;
    }
}
