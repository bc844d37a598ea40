package org.iscsilab.host.mid;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.iscsilab.host.module.KernelModule;
import org.iscsilab.host.module.Violations;

/**
 * A low-level driver for tests of one mid-layer class at a time: completes every command at once.
 */
final class TestDriver implements LowLevelDriver {
    final KernelModule module;
    final List<String> calls = new CopyOnWriteArrayList<>();

    /** When set, commands are taken but never completed (a target that stopped answering). */
    volatile boolean hang;

    /** What each error handler step answers. */
    volatile boolean abortWorks = true;

    volatile boolean lunResetWorks = true;
    volatile boolean targetResetWorks = true;
    volatile boolean hostResetWorks = true;

    TestDriver(Violations violations) {
        this.module = new KernelModule("test_lld", violations);
        module.load(() -> {}, () -> {});
    }

    @Override
    public KernelModule module() {
        return module;
    }

    @Override
    public void queueCommand(ScsiDevice device, Request request) {
        calls.add(String.format("queuecommand %s 0x%02x", device.hctl(), request.opcode()));
        if (!hang) {
            request.complete(HostResult.of(HostResult.HostByte.DID_OK));
        }
    }

    @Override
    public void slaveDestroy(ScsiDevice device) {
        calls.add("slave_destroy " + device.hctl());
    }

    @Override
    public boolean abort(ScsiDevice device, Request request) {
        calls.add("abort " + device.hctl());
        return abortWorks;
    }

    @Override
    public boolean deviceReset(ScsiDevice device) {
        calls.add("lun reset " + device.hctl());
        return lunResetWorks;
    }

    @Override
    public boolean targetReset(ScsiTarget target) {
        calls.add("target reset " + target.id());
        return targetResetWorks;
    }

    @Override
    public boolean hostReset(ScsiHost host) {
        calls.add("host reset " + host.number());
        return hostResetWorks;
    }
}
