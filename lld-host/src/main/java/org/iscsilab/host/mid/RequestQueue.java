package org.iscsilab.host.mid;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A device's request queue (the legacy block layer of 4.11, in the parts the race depends on): it
 * can be stopped and started; while stopped nothing is dispatched and parked requests have no
 * timer. Running it asks the device for each request's admission. Draining it (what
 * blk_cleanup_queue does) waits until nothing is parked or in flight, and on a stopped queue with
 * parked requests that wait never ends.
 */
final class RequestQueue {
    private final Function<Request, Admission> admission;
    private final Consumer<Request> dispatch;
    private final Deque<Request> parked = new ArrayDeque<>();

    /** Written under this queue's lock, read without it (trace context). */
    private volatile boolean stopped;

    private int inFlight;

    RequestQueue(Function<Request, Admission> admission, Consumer<Request> dispatch) {
        this.admission = admission;
        this.dispatch = dispatch;
    }

    void submit(Request r) {
        synchronized (this) {
            parked.addLast(r);
        }
        run();
    }

    /**
     * The LLD could not take a dispatched request now (DID_IMM_RETRY, a disrupted transport): it
     * goes back to the head of the queue, without a timer, and is dispatched again when the queue
     * next runs.
     */
    void requeue(Request r) {
        synchronized (this) {
            r.onCompletion(null);
            r.dispatched(-1);
            parked.addFirst(r);
            inFlight--;
            notifyAll();
        }
    }

    synchronized void stop() {
        stopped = true;
    }

    /** blk_start_queue: clears the stop and runs the queue. */
    void start() {
        synchronized (this) {
            stopped = false;
            notifyAll(); // a drain waiting on the stopped queue goes on at once
        }
        run();
    }

    boolean stopped() {
        return stopped;
    }

    synchronized int parked() {
        return parked.size();
    }

    synchronized int inFlight() {
        return inFlight;
    }

    /**
     * Dispatches what the device admits, kills what it refuses, stops at the first deferred
     * request.
     */
    void run() {
        while (true) {
            Request r;
            Admission a;
            synchronized (this) {
                if (stopped || parked.isEmpty()) {
                    return;
                }
                r = parked.peekFirst();
                a = admission.apply(r);
                if (a == Admission.DEFER) {
                    return; // requeued; tried again when the queue next runs
                }
                parked.pollFirst();
                if (a == Admission.ALLOW) {
                    inFlight++;
                }
            }
            if (a == Admission.KILL) {
                r.complete(HostResult.of(HostResult.HostByte.DID_NO_CONNECT));
                signal();
            } else {
                r.dispatched(System.nanoTime());
                r.onCompletion(this::completed);
                dispatch.accept(r);
            }
        }
    }

    private synchronized void signal() {
        notifyAll();
    }

    /** A dispatched request finished. */
    synchronized void completed() {
        inFlight--;
        notifyAll();
    }

    /**
     * blk_cleanup_queue's drain: returns when nothing is parked or in flight. A running queue keeps
     * retrying deferred requests; a stopped one does nothing, so this waits forever
     * (interruptibly).
     */
    void drain(ScsiHost.YieldPoint yieldPoint, String who) throws InterruptedException {
        while (true) {
            run();
            synchronized (this) {
                if (parked.isEmpty() && inFlight == 0) {
                    return;
                }
            }
            if (stuckStopped()) {
                // a stopped queue drains only when another thread starts it
                yieldPoint.waiting("blk_cleanup_queue of " + who, this::stuckStopped);
                synchronized (this) {
                    while (stuckStopped()) {
                        wait();
                    }
                }
                yieldPoint.doneWaiting("blk_cleanup_queue of " + who + ": the queue runs again");
            } else {
                synchronized (this) {
                    wait(50); // a running queue retries what it deferred, as the block layer does
                }
            }
        }
    }

    private synchronized boolean stuckStopped() {
        return stopped && (!parked.isEmpty() || inFlight > 0);
    }
}
