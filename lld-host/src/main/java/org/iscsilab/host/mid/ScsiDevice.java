package org.iscsilab.host.mid;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.host.module.Violations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SCSI device (struct scsi_device) with the one state enforcer of its state machine, {@link
 * #setState} (scsi_device_set_state), its request queue and its reference count. The transition
 * table and the details of block, unblock and removal come from the {@link Policy}. Every state
 * change is kept with its time for the scenario timeline.
 */
public final class ScsiDevice {
    private static final Logger log = LoggerFactory.getLogger(ScsiDevice.class);

    /** One entry of the state timeline. */
    public record Transition(long nanos, DeviceState from, DeviceState to, boolean direct) {}

    private final ScsiHost host;
    private final ScsiTarget target;
    private final int lun;
    private final Policy policy;
    private final Violations violations;
    private final RequestQueue queue;

    /** sdev->state_mutex (v4.13 and later); the 4.11 model does not take it. */
    private final StateMutex stateMutex = new StateMutex();

    private final List<Transition> timeline = new ArrayList<>();

    /**
     * How many transitions had happened when device_del removed the sysfs attributes; -1 before.
     */
    private int sysfsRemovedAfter = -1;

    private DeviceState state = DeviceState.CREATED;

    /**
     * The sysfs "timeout" attribute: how long a dispatched request may take (sd's default is 30 s).
     */
    private volatile Duration timeout = Duration.ofSeconds(30);

    private int references;

    ScsiDevice(ScsiTarget target, int lun) {
        this.host = target.host();
        this.target = target;
        this.lun = lun;
        this.policy = host.policy();
        this.violations = host.violations();
        this.queue = new RequestQueue(this::admit, this::dispatch);
        timeline.add(new Transition(System.nanoTime(), null, DeviceState.CREATED, false));
    }

    public ScsiHost host() {
        return host;
    }

    public int lun() {
        return lun;
    }

    public ScsiTarget target() {
        return target;
    }

    public Duration timeout() {
        return timeout;
    }

    /** echo N > /sys/.../device/timeout */
    public void setTimeout(Duration t) {
        this.timeout = t;
    }

    /** H:C:T:L as sysfs names the device. */
    public String hctl() {
        return host.number() + ":" + target.channel() + ":" + target.id() + ":" + lun;
    }

    public synchronized DeviceState state() {
        return state;
    }

    /** The sysfs state attribute. */
    public String sysfsState() {
        return state().sysfs();
    }

    /**
     * device_del has begun: the sysfs attributes, {@code state} among them, are gone from here on
     * (on 4.11 before DEL is set: user space saw "cancel" last; on the v4.13 BLOCK->DEL path it saw
     * "deleted").
     */
    synchronized void removeSysfsAttributes() {
        if (sysfsRemovedAfter < 0) {
            sysfsRemovedAfter = timeline.size();
            host.trace().record("device_del: sysfs attributes gone", "device", hctl());
        }
    }

    /**
     * The {@code state} file's values as user space reads them, each change once: the states until
     * device_del, then "gone" once the attribute is removed.
     */
    public synchronized List<String> userSpaceStates() {
        List<String> out = new ArrayList<>();
        int end = sysfsRemovedAfter < 0 ? timeline.size() : sysfsRemovedAfter;
        for (int i = 0; i < end; i++) {
            String s = timeline.get(i).to().sysfs();
            if (!s.equals("created") && (out.isEmpty() || !out.get(out.size() - 1).equals(s))) {
                out.add(s);
            }
        }
        if (sysfsRemovedAfter >= 0) {
            out.add("gone");
        }
        return out;
    }

    public synchronized List<Transition> timeline() {
        return List.copyOf(timeline);
    }

    StateMutex stateMutex() {
        return stateMutex;
    }

    RequestQueue queue() {
        return queue;
    }

    /** Whether the device's queue is stopped (for invariant checks). */
    public boolean queueStopped() {
        return queue.stopped();
    }

    /** Requests waiting on the queue. */
    public int parkedRequests() {
        return queue.parked();
    }

    /**
     * scsi_device_set_state(): the only way states change, apart from unblock's direct write.
     * Returns false, changing nothing, when the modelled kernel's table forbids the transition.
     */
    public synchronized boolean setState(DeviceState to) {
        if (!policy.allows(state, to)) {
            log.debug("{}: illegal state change {} -> {} ({})", hctl(), state, to, policy);
            return false;
        }
        record(to, false);
        return true;
    }

    /**
     * scsi_internal_device_unblock's write of sdev_state, which bypasses the table
     * (docs/linux-midlayer.md §4).
     */
    synchronized void writeStateDirectly(DeviceState to) {
        record(to, true);
    }

    private void record(DeviceState to, boolean direct) {
        if (state != to) {
            timeline.add(new Transition(System.nanoTime(), state, to, direct));
            host.metrics().transition(this, state, to, direct);
            log.debug("{}: {} -> {}{}", hctl(), state, to, direct ? " (direct)" : "");
            host.trace()
                    .record(
                            direct ? "unblock writes sdev_state" : "scsi_device_set_state",
                            "device",
                            hctl(),
                            "from",
                            state.sysfs(),
                            "to",
                            to.sysfs());
            state = to;
        }
    }

    /**
     * A write to the sysfs state attribute. In 4.11 and 4.13 any state name is accepted and goes
     * through {@link #setState} with no queue handling (writing "running" to a blocked device
     * leaves its queue stopped). Since 2019/2022 ({@code current}) only "running" and "offline" are
     * accepted, and only from RUNNING or OFFLINE; anything else is EINVAL.
     */
    public void writeSysfsState(String value) {
        DeviceState wanted = null;
        for (DeviceState s : DeviceState.values()) {
            if (s.sysfs().equals(value) && s != DeviceState.CANCEL_BLOCK) {
                wanted = s;
            }
        }
        if (wanted == null) {
            throw new IllegalArgumentException("EINVAL: '" + value + "' is not a device state");
        }
        if (policy == Policy.CURRENT) {
            DeviceState now = state();
            boolean allowed =
                    (wanted == DeviceState.RUNNING || wanted == DeviceState.OFFLINE)
                            && (now == DeviceState.RUNNING || now == DeviceState.OFFLINE);
            if (!allowed) {
                throw new IllegalArgumentException(
                        "EINVAL: only running and offline may be written, from "
                                + "running or offline (device is "
                                + now.sysfs()
                                + ")");
            }
        }
        boolean mutex = host.usesStateMutex();
        if (mutex) {
            host.lockStateMutex(this); // store_state_field takes state_mutex from v4.13 on
        }
        try {
            if (!setState(wanted)) {
                throw new IllegalArgumentException(
                        "EINVAL: " + state().sysfs() + " -> " + value + " is not allowed");
            }
        } finally {
            if (mutex) {
                stateMutex.unlock();
            }
        }
    }

    /**
     * scsi_device_get(): refuses a device in CANCEL or DEL, and refuses every device once its LLD
     * module is GOING (try_module_get fails); otherwise takes a device and a module reference.
     */
    public boolean get() {
        synchronized (this) {
            if (state == DeviceState.CANCEL || state == DeviceState.DEL) {
                return false;
            }
        }
        if (!host.driver().module().tryGet()) {
            return false;
        }
        synchronized (this) {
            references++;
        }
        return true;
    }

    /** scsi_device_put(). */
    public void put() {
        synchronized (this) {
            if (references == 0) {
                violations.record("scsi_device_put(" + hctl() + ") without a reference");
                return;
            }
            references--;
        }
        host.driver().module().put();
    }

    public synchronized int references() {
        return references;
    }

    /**
     * Queues a request; the future completes when it is done, however long that takes, and only
     * after the command is counted in the metrics (whoever waits on it sees it counted).
     */
    public CompletableFuture<HostResult> submit(Request r) {
        long start = System.nanoTime();
        CompletableFuture<HostResult> counted =
                r.result()
                        .thenApply(
                                res -> {
                                    host.metrics().completed(this, res, System.nanoTime() - start);
                                    return res;
                                });
        queue.submit(r);
        return counted;
    }

    /**
     * The LLD hands a dispatched request back (it cannot take it now, e.g. DID_IMM_RETRY while the
     * session recovers); it waits on the queue again and the queue is run again shortly
     * (scsi_queue_insert -> blk_delay_queue, SCSI_QUEUE_DELAY 3 ms): on a running queue it is
     * retried until the LLD takes it, on a stopped one it waits for the unblock.
     */
    public void requeue(Request r) {
        queue.requeue(r);
        host.runQueueLater(this);
    }

    /** Runs the queue (what kblockd's delayed work does); a stopped queue stays as it is. */
    void runQueue() {
        queue.run();
    }

    private Admission admit(Request r) {
        return Admission.of(state(), r.preempt(), policy == Policy.CURRENT);
    }

    private void dispatch(Request r) {
        if (state() == DeviceState.DEL) {
            violations.record("queuecommand called for " + hctl() + " in DEL");
        }
        LowLevelDriver lld = host.driver();
        lld.module().enter("queuecommand(" + hctl() + ")");
        host.errorHandler().watch(this, r);
        lld.queueCommand(this, r);
    }

    @Override
    public String toString() {
        return hctl() + " " + sysfsState();
    }
}
