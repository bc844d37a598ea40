package org.iscsilab.iscsi.target;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.iscsilab.target.ScsiTargetDevice;

/** An iSCSI target node (RFC 7143 §4.4.1): its name, alias, SCSI target device and live sessions. */
public final class IscsiTarget {
    private final String name;
    private final String alias;
    private final ScsiTargetDevice device;
    private final Set<TargetSession> sessions = ConcurrentHashMap.newKeySet();

    public IscsiTarget(String name, String alias, ScsiTargetDevice device) {
        IscsiNames.validate(name);
        this.name = name;
        this.alias = alias;
        this.device = device;
    }

    public String name() {
        return name;
    }

    public String alias() {
        return alias;
    }

    public ScsiTargetDevice device() {
        return device;
    }

    void attach(TargetSession session) {
        sessions.add(session);
    }

    void detach(TargetSession session) {
        sessions.remove(session);
    }

    public List<TargetSession> sessions() {
        return List.copyOf(sessions);
    }
}
