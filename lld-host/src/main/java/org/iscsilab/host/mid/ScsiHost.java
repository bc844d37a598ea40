package org.iscsilab.host.mid;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.iscsilab.host.module.Violations;
import org.iscsilab.host.trace.CausalTrace;

/**
 * A SCSI host (struct Scsi_Host): the adapter an LLD registered, its targets and devices, and the
 * policy that says which kernel is modelled.
 */
public final class ScsiHost {
    /** SHOST_* states the model needs. */
    public enum State {
        RUNNING,
        CANCEL,
        DEL
    }

    private final int number;
    private final LowLevelDriver driver;
    private final Policy policy;
    private final Violations violations;
    private final List<ScsiTarget> targets = new CopyOnWriteArrayList<>();
    private volatile State state = State.RUNNING;
    private final ErrorHandler errorHandler;
    private final HostMetrics metrics;
    private volatile boolean stateMutex;

    /**
     * shost->scan_mutex: scanning, scsi_remove_device (a sysfs delete) and scsi_remove_host take
     * it, so a removal stuck inside it holds up every later one (the logout cascade of scenario
     * B-cascade).
     */
    private final ReentrantLock scanMutex = new ReentrantLock();

    private final CausalTrace trace = new CausalTrace();

    /** kblockd: runs a device's queue again a moment after a request was requeued. */
    private final ScheduledExecutorService kblockd =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread t = new Thread(r, "kblockd");
                        t.setDaemon(true);
                        return t;
                    });

    /** SCSI_QUEUE_DELAY (drivers/scsi/scsi_lib.c): how soon a requeued request is tried again. */
    private static final long QUEUE_DELAY_MILLIS = 3;

    private volatile boolean unblockVisitsCancel = true;
    private volatile YieldPoint yieldPoint = YieldPoint.NONE;

    /**
     * A place in the mid-layer where the modelled kernel takes no lock between two steps, so
     * another thread may run there. Tests hook a deterministic scheduler in; normally it does
     * nothing.
     */
    @FunctionalInterface
    public interface YieldPoint {
        YieldPoint NONE = point -> {};

        void reached(String point) throws InterruptedException;

        /**
         * The calling thread is about to wait for {@code what} for as long as {@code stillWaiting}
         * holds (a mutex another thread holds, a queue that cannot drain): a scheduler then knows
         * it cannot move without another thread's step, instead of guessing from a timer.
         */
        default void waiting(String what, BooleanSupplier stillWaiting) {}

        /**
         * The wait announced by {@link #waiting} is over (the mutex is this thread's, the queue can
         * drain): a yield point of its own, so a scheduler decides when the thread goes on.
         */
        default void doneWaiting(String what) throws InterruptedException {}
    }

    /**
     * Takes a device's state mutex; when another thread holds it, tells the yield point this thread
     * waits for it.
     */
    void lockStateMutex(ScsiDevice d) {
        StateMutex m = d.stateMutex();
        if (m.tryLock()) {
            return;
        }
        Thread me = Thread.currentThread();
        // still waiting while another thread holds it; once it is free, or this thread's, the
        // thread is moving again
        yieldPoint.waiting(
                "state_mutex of " + d.hctl(),
                () -> {
                    Thread holder = m.holder();
                    return holder != null && holder != me;
                });
        m.lock();
        try {
            yieldPoint.doneWaiting("state_mutex of " + d.hctl() + " taken");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    YieldPoint yieldPoint() {
        return yieldPoint;
    }

    public ScsiHost(int number, LowLevelDriver driver, Policy policy, Violations violations) {
        this(number, driver, policy, violations, Metrics.globalRegistry);
    }

    /** With the meter registry the host's metrics go to (Micrometer). */
    public ScsiHost(
            int number,
            LowLevelDriver driver,
            Policy policy,
            Violations violations,
            MeterRegistry registry) {
        this.number = number;
        this.driver = driver;
        this.policy = policy;
        this.violations = violations;
        this.metrics = new HostMetrics(registry, this);
        this.errorHandler = new ErrorHandler(this);
        this.stateMutex = policy.removalToDel();
        trace.setContext(this::traceContext);
    }

    /**
     * What each step of the trace records besides its own details: the LLD module's state and, for
     * a step about one of this host's devices, whether its queue is stopped (read without a lock).
     */
    private Map<String, String> traceContext(Map<String, String> step) {
        Map<String, String> out = new LinkedHashMap<>();
        String hctl = step.get("device");
        if (hctl != null) {
            for (ScsiDevice d : devices()) {
                if (d.hctl().equals(hctl)) {
                    out.put("queue", d.queue().stopped() ? "stopped" : "running");
                    break;
                }
            }
        }
        out.put("module", driver.module().state().name());
        return out;
    }

    HostMetrics metrics() {
        return metrics;
    }

    /** Whether state changes and queue stops take sdev->state_mutex (v4.13 and later). */
    public boolean usesStateMutex() {
        return stateMutex;
    }

    /** Runs {@code d}'s queue after {@link #QUEUE_DELAY_MILLIS} (blk_delay_queue). */
    void runQueueLater(ScsiDevice d) {
        kblockd.schedule(d::runQueue, QUEUE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** What the host's threads did, in order: state changes, unblocks, queue stops, commands. */
    public CausalTrace trace() {
        return trace;
    }

    /** The host's scan_mutex (drivers/scsi/hosts.c, scsi_scan.c, scsi_sysfs.c). */
    public ReentrantLock scanMutex() {
        return scanMutex;
    }

    /**
     * bart: whether target unblock also visits CANCEL devices. The 2017 patch's text is not at
     * hand, so this is unconfirmed; it decides scenarios A and B, so it is a visible option
     * (default true).
     */
    public boolean unblockVisitsCancel() {
        return unblockVisitsCancel;
    }

    public void setUnblockVisitsCancel(boolean visits) {
        this.unblockVisitsCancel = visits;
    }

    /** For exploring the race the mutex prevents: the same kernel without it. */
    public void setStateMutex(boolean on) {
        this.stateMutex = on;
    }

    public void setYieldPoint(YieldPoint hook) {
        this.yieldPoint = hook;
    }

    /** Marks a lock-free gap between two steps (see {@link YieldPoint}). */
    void yieldAt(String point) {
        try {
            yieldPoint.reached(point);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The host's error handler (timeouts of dispatched requests). */
    public ErrorHandler errorHandler() {
        return errorHandler;
    }

    public int number() {
        return number;
    }

    public LowLevelDriver driver() {
        return driver;
    }

    public Policy policy() {
        return policy;
    }

    public Violations violations() {
        return violations;
    }

    public State state() {
        return state;
    }

    void setState(State s) {
        state = s;
        if (s == State.DEL) {
            errorHandler.shutdown();
        }
    }

    public List<ScsiTarget> targets() {
        return List.copyOf(targets);
    }

    /** The target with this channel and id, created when first needed. */
    public synchronized ScsiTarget target(int channel, int id) {
        for (ScsiTarget t : targets) {
            if (t.channel() == channel && t.id() == id) {
                return t;
            }
        }
        ScsiTarget t = new ScsiTarget(this, channel, id);
        targets.add(t);
        return t;
    }

    /** scsi_add_device as scanning ends: CREATED, then RUNNING once configured. */
    public ScsiDevice addDevice(int channel, int id, int lun) {
        ScsiDevice d = target(channel, id).add(lun);
        metrics.deviceAdded(d);
        if (!d.setState(DeviceState.RUNNING)) {
            throw new IllegalStateException("a new device could not go CREATED -> RUNNING");
        }
        return d;
    }

    /** Every device of every target. */
    public List<ScsiDevice> devices() {
        List<ScsiDevice> all = new ArrayList<>();
        targets.forEach(t -> all.addAll(t.devices()));
        return all;
    }

    void forgetTarget(ScsiTarget t) {
        targets.remove(t);
    }
}
