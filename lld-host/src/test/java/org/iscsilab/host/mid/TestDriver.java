package org.iscsilab.host.mid;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.iscsilab.host.module.KernelModule;
import org.iscsilab.host.module.Violations;

/** A low-level driver for tests of one mid-layer class at a time: completes every command at once. */
final class TestDriver implements LowLevelDriver {
    final KernelModule module;
    final List<String> calls = new CopyOnWriteArrayList<>();

    TestDriver(Violations violations) {
        this.module = new KernelModule("test_lld", violations);
        module.load(() -> { }, () -> { });
    }

    @Override
    public KernelModule module() {
        return module;
    }

    @Override
    public void queueCommand(ScsiDevice device, Request request) {
        calls.add(String.format("queuecommand %s 0x%02x", device.hctl(), request.opcode()));
        request.complete(HostResult.of(HostResult.HostByte.DID_OK));
    }

    @Override
    public void slaveDestroy(ScsiDevice device) {
        calls.add("slave_destroy " + device.hctl());
    }
}
