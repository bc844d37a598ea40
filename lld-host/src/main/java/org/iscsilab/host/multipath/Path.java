package org.iscsilab.host.multipath;

import org.iscsilab.host.mid.ScsiDisk;

/**
 * One path of a multipath device: a SCSI disk, the target port group of its target port (from VPD
 * page 83h), its priority from that group's access state, and its checker state.
 */
public final class Path {
    private final ScsiDisk disk;
    private final int group;
    private volatile int priority;
    private volatile PathState state = PathState.UP;

    Path(ScsiDisk disk, int group) {
        this.disk = disk;
        this.group = group;
    }

    public ScsiDisk disk() {
        return disk;
    }

    /** The device's H:C:T:L. */
    public String name() {
        return disk.device().hctl();
    }

    /** The target port group of the path's target port, or -1 when the target reports none. */
    public int group() {
        return group;
    }

    public int priority() {
        return priority;
    }

    void priority(int p) {
        this.priority = p;
    }

    public PathState state() {
        return state;
    }

    void state(PathState s) {
        this.state = s;
    }

    @Override
    public String toString() {
        return name() + " group " + group + " prio " + priority + " " + state;
    }
}
