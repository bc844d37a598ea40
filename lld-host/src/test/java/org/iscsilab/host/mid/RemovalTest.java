package org.iscsilab.host.mid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.iscsilab.host.module.Violations;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Removing a blocked device with the write cache on (docs/linux-midlayer.md scenario B without the
 * wire): which policies hang in SYNCHRONIZE CACHE, what sysfs shows meanwhile, and what an unblock
 * does.
 */
class RemovalTest {
    @ParameterizedTest(name = "{0}: hangs={1}, sysfs while removing={2}, SYNC CACHE queued={3}")
    @CsvSource({
        "v4.11,true,cancel,1",
        "bart,true,cancel,1",
        "cancel-block,true,blocked,1",
        "cancel-block-drop-sync,false,deleted,0",
        "v4.13,false,deleted,0",
        "current,false,deleted,0"
    })
    void removingABlockedDeviceWithTheWriteCacheOn(
            String policy, boolean hangs, String sysfs, int syncs) throws Exception {
        Violations violations = new Violations();
        TestDriver lld = new TestDriver(violations);
        ScsiHost host = new ScsiHost(0, lld, Policy.parse(policy), violations);
        ScsiDevice d = host.addDevice(0, 0, 0);
        ScsiDisk sd = new ScsiDisk(d, true);
        BlockControl.blockTarget(d.target()); // the session failed
        Thread remover =
                new Thread(
                        () -> {
                            try {
                                Removal.removeDevice(d, sd);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "remove " + d.hctl());
        remover.start();
        remover.join(TimeUnit.SECONDS.toMillis(1));
        assertEquals(hangs, remover.isAlive(), "removal still running after 1 s");
        if (hangs) {
            assertEquals(sysfs, d.sysfsState());
            assertEquals(1, d.parkedRequests(), "SYNCHRONIZE CACHE parked on the stopped queue");
        } else {
            assertEquals("deleted", d.sysfsState());
        }
        assertEquals(syncs, sd.syncCacheSent());
        // the session comes back: the transport unblocks the target
        List<ScsiDevice> visited = BlockControl.unblockTarget(d.target(), DeviceState.RUNNING);
        remover.join(TimeUnit.SECONDS.toMillis(2));
        boolean unblockEndsIt = policy.equals("bart") || policy.equals("cancel-block");
        if (hangs) {
            assertEquals(
                    unblockEndsIt,
                    !remover.isAlive(),
                    "an unblock ends the hang only if it visits the device");
            assertEquals(unblockEndsIt, visited.contains(d));
        }
        remover.interrupt();
        remover.join(1000);
        assertFalse(remover.isAlive());
        assertTrue(violations.isEmpty(), violations.all().toString());
    }
}
