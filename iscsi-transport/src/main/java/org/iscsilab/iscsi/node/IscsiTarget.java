package org.iscsilab.iscsi.node;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.iscsi.login.ChapRequirement;
import org.iscsilab.iscsi.login.SrpCredentials;

/**
 * An iSCSI target node (RFC 7143 §4.4.1): its name, alias, SCSI target device and live sessions.
 */
public final class IscsiTarget {
    private final String name;
    private final String alias;
    private final ScsiTargetDevice device;
    private final Set<TargetSession> sessions = ConcurrentHashMap.newKeySet();
    private final InitiatorAccess access = new InitiatorAccess();
    private volatile ChapRequirement chap = ChapRequirement.NONE;
    private volatile SrpCredentials srp;

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
        this.chap = new ChapRequirement(initiator, mutual);
    }

    /** Which initiators may log in (all, until restricted). */
    public InitiatorAccess access() {
        return access;
    }

    /**
     * Requires SRP (RFC 7143 §12.1.2) of normal sessions; with CHAP also required, either will do.
     */
    public void requireSrp(SrpCredentials credentials) {
        this.srp = credentials;
    }

    /** The SRP verifiers initiators must match, or null. */
    public SrpCredentials srp() {
        return srp;
    }

    /** The CHAP normal sessions must pass ({@link ChapRequirement#NONE} when none). */
    public ChapRequirement chap() {
        return chap;
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
