package org.iscsilab.iscsi.target;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.target.ScsiTargetDevice;

/** An iSCSI target node (RFC 7143 §4.4.1): its name, alias, SCSI target device and live sessions. */
public final class IscsiTarget {
    private final String name;
    private final String alias;
    private final ScsiTargetDevice device;
    private final Set<TargetSession> sessions = ConcurrentHashMap.newKeySet();
    private volatile ChapCredentials chap;
    private final InitiatorAccess access = new InitiatorAccess();
    private volatile ChapCredentials mutualChap;
    private volatile org.iscsilab.iscsi.login.SrpCredentials srp;

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

    /**
     * Requires CHAP for normal sessions to this target: the initiator proves {@code initiator}'s
     * secret; with {@code mutual} (may be null) the target proves its own. RFC 7143 §12.1.3: the
     * two secrets must differ.
     */
    public void requireChap(ChapCredentials initiator, ChapCredentials mutual) {
        if (initiator == null) {
            throw new IllegalArgumentException("CHAP needs the initiator's name and secret");
        }
        if (mutual != null && mutual.secret().equals(initiator.secret())) {
            throw new IllegalArgumentException("the target's mutual CHAP secret must differ from the initiator's "
                    + "(RFC 7143 §12.1.3)");
        }
        this.chap = initiator;
        this.mutualChap = mutual;
    }

    /** The CHAP credentials initiators must prove, or null when the target needs no authentication. */
    /** Which initiators may log in (all, until restricted). */
    public InitiatorAccess access() {
        return access;
    }

    /** Requires SRP (RFC 7143 §12.1.2) of normal sessions; with CHAP also required, either will do. */
    public void requireSrp(org.iscsilab.iscsi.login.SrpCredentials credentials) {
        this.srp = credentials;
    }

    public org.iscsilab.iscsi.login.SrpCredentials srp() {
        return srp;
    }

    public ChapCredentials chap() {
        return chap;
    }

    public ChapCredentials mutualChap() {
        return mutualChap;
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
