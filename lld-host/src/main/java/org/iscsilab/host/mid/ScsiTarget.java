package org.iscsilab.host.mid;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A SCSI target (struct scsi_target): the devices (LUNs) behind one target port of a host. */
public final class ScsiTarget {
    private final ScsiHost host;
    private final int channel;
    private final int id;
    private final List<ScsiDevice> devices = new CopyOnWriteArrayList<>();

    ScsiTarget(ScsiHost host, int channel, int id) {
        this.host = host;
        this.channel = channel;
        this.id = id;
    }

    public ScsiHost host() {
        return host;
    }

    public int channel() {
        return channel;
    }

    public int id() {
        return id;
    }

    /** Every device of the target, whatever its state (the kernel's list of siblings). */
    public List<ScsiDevice> devices() {
        return List.copyOf(devices);
    }

    ScsiDevice add(int lun) {
        ScsiDevice d = new ScsiDevice(this, lun);
        devices.add(d);
        return d;
    }

    void forget(ScsiDevice d) {
        devices.remove(d);
    }
}
