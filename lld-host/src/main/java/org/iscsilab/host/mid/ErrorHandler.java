package org.iscsilab.host.mid;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A host's error handler (scsi_error.c, the scsi_eh thread, simplified to one command at a time): a
 * dispatched request that outlives its device's timeout is recovered by escalation — abort the
 * command, reset the LUN, reset the target, reset the host (for iSCSI: drop the session, which then
 * recovers and the requests are retried); when every step fails the device goes OFFLINE. Only
 * dispatched requests have timers: parked ones never time out (docs/linux-midlayer.md §3).
 */
public final class ErrorHandler {
    private static final Logger log = LoggerFactory.getLogger(ErrorHandler.class);

    private final ScsiHost host;
    private final ScheduledExecutorService timers;
    private final List<String> actions = new ArrayList<>();

    /** Timers armed so far, one per dispatched request. */
    private final AtomicLong armed = new AtomicLong();

    ErrorHandler(ScsiHost host) {
        this.host = host;
        this.timers =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "scsi_eh_" + host.number());
                            t.setDaemon(true);
                            return t;
                        });
    }

    /** What the error handler did, in order ("abort 0:0:0:0 opcode 0x28: success", ...). */
    public synchronized List<String> actions() {
        return List.copyOf(actions);
    }

    private synchronized void record(String what) {
        actions.add(what);
        log.info("scsi_eh_{}: {}", host.number(), what);
    }

    /** How many request timers were ever armed: a request that never got one can never time out. */
    public long timersArmed() {
        return armed.get();
    }

    /** Arms the request's timer at dispatch. */
    void watch(ScsiDevice device, Request request) {
        armed.incrementAndGet();
        long ms = device.timeout().toMillis();
        long dispatched = request.dispatchedNanos();
        timers.schedule(
                () -> {
                    // the timer of this dispatch only: a request requeued and sent again has a
                    // new one (blk_add_timer at every start)
                    if (!request.result().isDone() && request.dispatchedNanos() == dispatched) {
                        recover(device, request);
                    }
                },
                ms,
                TimeUnit.MILLISECONDS);
    }

    private void recover(ScsiDevice d, Request r) {
        String what = d.hctl() + " " + r;
        record("timeout " + what);
        LowLevelDriver lld = d.host().driver();
        try {
            lld.module().enter("eh_abort_handler(" + d.hctl() + ")");
            if (step("abort", "abort " + what, lld.abort(d, r))
                    || step("lun-reset", "LUN reset " + d.hctl(), lld.deviceReset(d))
                    || step(
                            "target-reset",
                            "target reset " + d.target().id(),
                            lld.targetReset(d.target()))) {
                r.complete(HostResult.of(HostResult.HostByte.DID_TIME_OUT));
                return;
            }
            if (step("host-reset", "host reset " + host.number(), lld.hostReset(host))) {
                return; // the session recovers; the LLD requeues what was in flight
            }
            d.setState(DeviceState.OFFLINE);
            record(d.hctl() + " taken offline");
            r.complete(HostResult.of(HostResult.HostByte.DID_TIME_OUT));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean step(String action, String what, boolean ok) {
        record(what + ": " + (ok ? "success" : "failed"));
        host.metrics().errorHandlerAction(action, ok);
        return ok;
    }

    void shutdown() {
        timers.shutdownNow();
    }
}
