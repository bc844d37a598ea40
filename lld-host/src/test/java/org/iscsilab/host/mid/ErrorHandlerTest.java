package org.iscsilab.host.mid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.iscsilab.host.module.Violations;
import org.junit.jupiter.api.Test;

/** Dispatched requests time out and the error handler escalates; parked requests never time out. */
class ErrorHandlerTest {
    private final Violations violations = new Violations();
    private final TestDriver lld = new TestDriver(violations);
    private final ScsiHost host = new ScsiHost(0, lld, Policy.V4_11, violations);
    private final ScsiDevice device = host.addDevice(0, 0, 0);

    private CompletableFuture<HostResult> read() {
        return device.submit(
                new Request(new byte[] {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0}, null, 512, false));
    }

    private List<String> ehCalls() {
        return lld.calls.stream().filter(c -> !c.startsWith("queuecommand")).toList();
    }

    @Test
    void aTimedOutCommandIsAbortedAndEndsWithDidTimeOut() throws Exception {
        device.setTimeout(Duration.ofMillis(100));
        lld.hang = true;
        HostResult r = read().get(5, TimeUnit.SECONDS);
        assertEquals(HostResult.HostByte.DID_TIME_OUT, r.hostByte());
        assertEquals(List.of("abort 0:0:0:0"), ehCalls());
        assertEquals("running", device.sysfsState());
    }

    @Test
    void escalationGoesAbortLunResetTargetResetHostReset() throws Exception {
        device.setTimeout(Duration.ofMillis(100));
        lld.hang = true;
        lld.abortWorks = false;
        lld.lunResetWorks = false;
        HostResult r = read().get(5, TimeUnit.SECONDS);
        assertEquals(HostResult.HostByte.DID_TIME_OUT, r.hostByte());
        assertEquals(List.of("abort 0:0:0:0", "lun reset 0:0:0:0", "target reset 0"), ehCalls());
    }

    @Test
    void whenEveryStepFailsTheDeviceGoesOffline() throws Exception {
        device.setTimeout(Duration.ofMillis(100));
        lld.hang = true;
        lld.abortWorks = false;
        lld.lunResetWorks = false;
        lld.targetResetWorks = false;
        lld.hostResetWorks = false;
        assertEquals(HostResult.HostByte.DID_TIME_OUT, read().get(5, TimeUnit.SECONDS).hostByte());
        assertEquals(
                List.of("abort 0:0:0:0", "lun reset 0:0:0:0", "target reset 0", "host reset 0"),
                ehCalls());
        assertEquals("offline", device.sysfsState());
        assertEquals(
                HostResult.HostByte.DID_NO_CONNECT,
                read().get(5, TimeUnit.SECONDS).hostByte(),
                "an offline device kills new I/O");
    }

    @Test
    void aRequestParkedOnAStoppedQueueNeverTimesOut() throws Exception {
        device.setTimeout(Duration.ofMillis(50));
        BlockControl.blockDevice(device);
        CompletableFuture<HostResult> parked = read();
        assertFalse(parked.isDone());
        assertEquals(
                0,
                host.errorHandler().timersArmed(),
                "no timer runs for a request that was never dispatched");
        assertEquals(List.of(), ehCalls(), "the error handler never saw it");
        BlockControl.unblockDevice(device, DeviceState.RUNNING);
        assertEquals(HostResult.HostByte.DID_OK, parked.get(5, TimeUnit.SECONDS).hostByte());
    }
}
