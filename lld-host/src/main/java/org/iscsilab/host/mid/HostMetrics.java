package org.iscsilab.host.mid;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * The host's Micrometer meters: device state transitions, queue depth (parked and in flight),
 * command outcomes with latency, and the error handler's actions. Names follow Micrometer's dotted
 * style; tags say which host, device and policy.
 */
final class HostMetrics {
    private final MeterRegistry registry;
    private final String host;
    private final String policy;

    HostMetrics(MeterRegistry registry, ScsiHost host) {
        this.registry = registry;
        this.host = Integer.toString(host.number());
        this.policy = host.policy().label();
    }

    void deviceAdded(ScsiDevice d) {
        Gauge.builder("scsi.device.queue.parked", d, ScsiDevice::parkedRequests)
                .description("requests waiting on the device's queue")
                .tags("host", host, "device", d.hctl())
                .register(registry);
        Gauge.builder("scsi.device.queue.inflight", d, x -> x.queue().inFlight())
                .description("requests handed to the LLD and not yet completed")
                .tags("host", host, "device", d.hctl())
                .register(registry);
    }

    void transition(ScsiDevice d, DeviceState from, DeviceState to, boolean direct) {
        Counter.builder("scsi.device.state.transitions")
                .description("device state changes")
                .tags(
                        "host",
                        host,
                        "device",
                        d.hctl(),
                        "policy",
                        policy,
                        "from",
                        from.sysfs(),
                        "to",
                        to.sysfs(),
                        "kind",
                        direct ? "unblock-write" : "set-state")
                .register(registry)
                .increment();
    }

    void completed(ScsiDevice d, HostResult r, long nanos) {
        String status =
                r.hostByte() != HostResult.HostByte.DID_OK
                        ? "none"
                        : r.status() == 0
                                ? "GOOD"
                                : r.status() == 0x02
                                        ? "CHECK_CONDITION"
                                        : String.format("0x%02x", r.status());
        Timer.builder("scsi.commands")
                .description("commands by outcome, with their latency")
                .tags(
                        "host",
                        host,
                        "device",
                        d.hctl(),
                        "host_byte",
                        r.hostByte().name(),
                        "status",
                        status)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void errorHandlerAction(String action, boolean success) {
        Counter.builder("scsi.eh.actions")
                .description("error handler steps")
                .tags("host", host, "action", action, "outcome", success ? "success" : "failed")
                .register(registry)
                .increment();
    }
}
