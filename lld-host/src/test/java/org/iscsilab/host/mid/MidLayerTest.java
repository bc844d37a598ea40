package org.iscsilab.host.mid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.host.module.Violations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Admission, device get, block and unblock, and the queue's timers, each as the modelled kernel has
 * them.
 */
class MidLayerTest {
    private final Violations violations = new Violations();
    private final TestDriver lld = new TestDriver(violations);

    private ScsiHost host(Policy p) {
        return new ScsiHost(0, lld, p, violations);
    }

    private static Request command(boolean preempt) {
        return new Request(new byte[] {0x00, 0, 0, 0, 0, 0}, null, 0, preempt);
    }

    @ParameterizedTest(name = "{0} preempt={1}: 4.11 {2}, 6.x {3}")
    @CsvSource({
        "RUNNING,false,ALLOW,ALLOW", "RUNNING,true,ALLOW,ALLOW",
        "CREATED,false,KILL,ALLOW", "CREATED,true,ALLOW,ALLOW",
        "CANCEL,false,KILL,KILL", "CANCEL,true,ALLOW,ALLOW",
        "DEL,false,KILL,KILL", "DEL,true,KILL,KILL",
        "OFFLINE,true,KILL,KILL", "TRANSPORT_OFFLINE,true,KILL,KILL",
        "QUIESCE,false,DEFER,DEFER", "QUIESCE,true,ALLOW,ALLOW",
        "BLOCK,true,DEFER,DEFER", "CREATED_BLOCK,false,DEFER,DEFER",
        "CANCEL_BLOCK,true,DEFER,DEFER"
    })
    void admissionPerState(DeviceState state, boolean preempt, Admission k411, Admission current) {
        assertEquals(k411, Admission.of(state, preempt, false));
        assertEquals(current, Admission.of(state, preempt, true));
    }

    @Test
    void deviceGetRefusesCancelAndDelAndEveryDeviceOfAGoingModule() throws Exception {
        ScsiHost h = host(Policy.V4_11);
        ScsiDevice running = h.addDevice(0, 0, 0);
        ScsiDevice cancelled = h.addDevice(0, 0, 1);
        cancelled.setState(DeviceState.CANCEL);
        assertTrue(running.get());
        assertEquals(1, lld.module().references(), "a device reference pins the module");
        running.put();
        assertFalse(cancelled.get());
        List<Boolean> duringUnload = new ArrayList<>();
        TestDriver other = new TestDriver(violations);
        ScsiHost h2 = new ScsiHost(1, other, Policy.V4_11, violations);
        ScsiDevice d2 = h2.addDevice(0, 0, 0);
        other.module.unload(false); // exit runs after GOING: no device get can succeed then
        assertFalse(d2.get(), "the module is gone");
        assertTrue(duringUnload.isEmpty());
    }

    @Test
    void jamesCancelBlockIsAcceptedByDeviceGet() {
        ScsiHost h = host(Policy.CANCEL_BLOCK_STATE);
        ScsiDevice d = h.addDevice(0, 0, 0);
        BlockControl.blockDevice(d);
        assertTrue(d.setState(DeviceState.CANCEL_BLOCK));
        assertTrue(d.get());
        d.put();
    }

    @Test
    void requestsParkedOnAStoppedQueueHaveNoTimerAndGoOutWhenItStarts() {
        ScsiHost h = host(Policy.V4_11);
        ScsiDevice d = h.addDevice(0, 0, 0);
        BlockControl.blockDevice(d);
        assertEquals("blocked", d.sysfsState());
        assertTrue(d.queueStopped());
        Request r = command(false);
        CompletableFuture<HostResult> f = d.submit(r);
        assertFalse(f.isDone());
        assertEquals(-1, r.dispatchedNanos(), "never dispatched: no timeout can fire");
        assertTrue(BlockControl.unblockDevice(d, DeviceState.RUNNING));
        assertTrue(f.join().good());
        assertTrue(r.dispatchedNanos() > 0);
        assertEquals("running", d.sysfsState());
    }

    @Test
    void transportOfflineKillsParkedAndNewIoWithDidNoConnect() {
        ScsiHost h = host(Policy.V4_11);
        ScsiDevice d = h.addDevice(0, 0, 0);
        BlockControl.blockDevice(d);
        CompletableFuture<HostResult> parked = d.submit(command(false));
        BlockControl.unblockDevice(d, DeviceState.TRANSPORT_OFFLINE);
        assertEquals(HostResult.HostByte.DID_NO_CONNECT, parked.join().hostByte());
        assertEquals(HostResult.HostByte.DID_NO_CONNECT, d.submit(command(true)).join().hostByte());
        assertEquals(List.of(), lld.calls, "nothing reached the LLD");
    }

    @Test
    void targetUnblockSkipsCancelDevicesUnlessThePolicyIsBarts() {
        for (Policy p : new Policy[] {Policy.V4_11, Policy.BART}) {
            ScsiHost h = host(p);
            ScsiDevice d = h.addDevice(0, 0, 0);
            BlockControl.blockTarget(d.target());
            assertTrue(d.setState(DeviceState.CANCEL), "4.11: BLOCK -> CANCEL is legal");
            List<ScsiDevice> visited = BlockControl.unblockTarget(d.target(), DeviceState.RUNNING);
            assertEquals(p == Policy.BART, visited.contains(d), p.label());
            assertEquals(
                    p == Policy.BART,
                    !d.queueStopped(),
                    p.label() + ": the queue restarts only when visited");
            assertEquals("cancel", d.sysfsState(), "unblock leaves CANCEL as it is");
        }
    }

    @Test
    void currentUnblockAcceptsOnlyRunningOrTransportOffline() {
        ScsiDevice d = host(Policy.CURRENT).addDevice(0, 0, 0);
        BlockControl.blockDevice(d);
        assertFalse(BlockControl.unblockDevice(d, DeviceState.OFFLINE));
        assertEquals("blocked", d.sysfsState());
        assertTrue(BlockControl.unblockDevice(d, DeviceState.RUNNING));
    }

    @Test
    void theTimelineRecordsEveryChangeAndMarksUnblocksDirectWrite() {
        ScsiDevice d = host(Policy.V4_11).addDevice(0, 0, 0);
        BlockControl.blockDevice(d);
        BlockControl.unblockDevice(d, DeviceState.RUNNING);
        List<ScsiDevice.Transition> t = d.timeline();
        assertEquals(
                List.of("created", "running", "blocked", "running"),
                t.stream().map(x -> x.to().sysfs()).toList());
        assertTrue(t.get(3).direct());
        assertFalse(t.get(2).direct());
    }
}
