package org.iscsilab.host.mid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.iscsilab.host.module.Violations;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The invariants of docs/linux-midlayer.md §10 that hold by construction, each checked on its own.
 */
class InvariantsTest {
    private final Violations violations = new Violations();
    private final TestDriver lld = new TestDriver(violations);

    /**
     * docs/linux-midlayer.md §10, invariant 2: sd sends nothing to a device that is not online; the
     * LLD never sees a DEL device's I/O.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"OFFLINE", "TRANSPORT_OFFLINE", "DEL"})
    void sdSendsNoSynchronizeCacheToADeviceThatIsNotOnline(DeviceState offline) throws Exception {
        ScsiDevice d = new ScsiHost(0, lld, Policy.V4_11, violations).addDevice(0, 0, 0);
        ScsiDisk sd = new ScsiDisk(d, true);
        assertTrue(d.setState(offline));
        sd.remove(d); // sd_shutdown -> sd_sync_cache: scsi_device_online() is false
        assertEquals(0, sd.syncCacheSent());
        assertEquals(List.of(), lld.calls);
        assertTrue(violations.isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Policy.class)
    void noRequestReachesTheDriverForADeletedDevice(Policy policy) {
        ScsiDevice d = new ScsiHost(0, lld, policy, violations).addDevice(0, 0, 0);
        assertTrue(d.setState(DeviceState.DEL));
        HostResult r = d.submit(new Request(new byte[6], null, 0, true)).join();
        assertEquals(HostResult.HostByte.DID_NO_CONNECT, r.hostByte());
        assertEquals(List.of(), lld.calls);
        assertTrue(violations.isEmpty(), violations.all().toString());
    }

    /**
     * docs/linux-midlayer.md §10, invariant 4: scsi_device_get succeeds exactly when the state is
     * neither CANCEL nor DEL and the module is live.
     */
    @ParameterizedTest(name = "{0}, module live {1}: {2}")
    @CsvSource({
        "RUNNING,true,true",
        "BLOCK,true,true",
        "OFFLINE,true,true",
        "TRANSPORT_OFFLINE,true,true",
        "QUIESCE,true,true",
        "CANCEL,true,false",
        "DEL,true,false",
        "RUNNING,false,false",
        "BLOCK,false,false"
    })
    void deviceGetIsExact(DeviceState state, boolean moduleLive, boolean expected)
            throws Exception {
        ScsiDevice d = new ScsiHost(0, lld, Policy.V4_11, violations).addDevice(0, 0, 0);
        if (state == DeviceState.BLOCK) {
            BlockControl.blockDevice(d);
        } else if (state == DeviceState.DEL) {
            d.setState(DeviceState.CANCEL);
            d.setState(DeviceState.DEL);
        } else {
            assertTrue(d.setState(state), state.toString());
        }
        if (!moduleLive) {
            lld.module().unload(true);
        }
        int refsBefore = lld.module().references();
        boolean got = d.get();
        assertEquals(expected, got);
        assertEquals(
                refsBefore + (got ? 1 : 0),
                lld.module().references(),
                "a module reference only with the device");
        if (got) {
            d.put();
        }
    }
}
