package org.iscsilab.host.race;

import org.iscsilab.host.mid.HostResult;
import org.iscsilab.host.mid.LowLevelDriver;
import org.iscsilab.host.mid.Request;
import org.iscsilab.host.mid.ScsiDevice;
import org.iscsilab.host.mid.ScsiHost;
import org.iscsilab.host.mid.ScsiTarget;
import org.iscsilab.host.module.KernelModule;
import org.iscsilab.host.module.Violations;

/**
 * An LLD whose commands complete at once with GOOD, like scsi_debug with no delay: races in the
 * mid-layer are explored without a wire, so every ordering runs in milliseconds.
 */
final class InstantDriver implements LowLevelDriver {
    private final KernelModule module;

    InstantDriver(Violations violations) {
        module = new KernelModule("instant_lld", violations);
        module.load(() -> {}, () -> {});
    }

    @Override
    public KernelModule module() {
        return module;
    }

    @Override
    public void queueCommand(ScsiDevice device, Request request) {
        request.complete(HostResult.of(HostResult.HostByte.DID_OK));
    }

    @Override
    public void slaveDestroy(ScsiDevice device) {}

    @Override
    public boolean abort(ScsiDevice device, Request request) {
        return true;
    }

    @Override
    public boolean deviceReset(ScsiDevice device) {
        return true;
    }

    @Override
    public boolean targetReset(ScsiTarget target) {
        return true;
    }

    @Override
    public boolean hostReset(ScsiHost host) {
        return true;
    }
}
