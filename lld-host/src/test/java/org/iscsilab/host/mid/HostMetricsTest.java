package org.iscsilab.host.mid;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.iscsilab.host.module.Violations;
import org.junit.jupiter.api.Test;

/**
 * The host's meters count state transitions, queue depth, command outcomes and error handler steps.
 */
class HostMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Violations violations = new Violations();
    private final TestDriver lld = new TestDriver(violations);
    private final ScsiHost host = new ScsiHost(3, lld, Policy.V4_13, violations, registry);
    private final ScsiDevice device = host.addDevice(0, 0, 0);

    private Request tur() {
        return new Request(new byte[6], null, 0, false);
    }

    @Test
    void transitionsQueueDepthOutcomesAndErrorHandlingAreMeasured() throws Exception {
        BlockControl.blockDevice(device);
        device.submit(tur());
        device.submit(tur());
        assertEquals(
                2.0,
                registry.get("scsi.device.queue.parked").tag("device", "3:0:0:0").gauge().value());
        BlockControl.unblockDevice(device, DeviceState.RUNNING);
        assertEquals(0.0, registry.get("scsi.device.queue.parked").gauge().value());
        assertEquals(
                1.0,
                registry.get("scsi.device.state.transitions")
                        .tags("from", "running", "to", "blocked")
                        .counter()
                        .count());
        assertEquals(
                1.0,
                registry.get("scsi.device.state.transitions")
                        .tags("from", "blocked", "to", "running", "kind", "unblock-write")
                        .counter()
                        .count());
        assertEquals(
                2,
                registry.get("scsi.commands")
                        .tags("host_byte", "DID_OK", "status", "GOOD")
                        .timer()
                        .count());
        device.setTimeout(Duration.ofMillis(50));
        lld.hang = true;
        device.submit(tur()).get(5, TimeUnit.SECONDS);
        assertEquals(
                1.0,
                registry.get("scsi.eh.actions")
                        .tags("action", "abort", "outcome", "success")
                        .counter()
                        .count());
        assertEquals(
                1, registry.get("scsi.commands").tags("host_byte", "DID_TIME_OUT").timer().count());
    }
}
