package org.iscsilab.host.iscsi;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.iscsilab.host.mid.BlockControl;
import org.iscsilab.host.mid.DeviceState;
import org.iscsilab.host.mid.Removal;
import org.iscsilab.host.mid.ScsiDevice;
import org.iscsilab.host.mid.ScsiDisk;
import org.iscsilab.host.mid.ScsiHost;
import org.iscsilab.host.mid.ScsiTarget;
import org.iscsilab.iscsi.initiator.RecoveringSession;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One iSCSI session as the SCSI transport class sees it (iscsi_cls_session): its own SCSI host with
 * one target, the session's transport state, and the link from connection recovery to the mid-layer
 * (docs/linux-midlayer.md §8): a failed connection blocks the target; a relogin unblocks it to
 * RUNNING; the replacement timeout unblocks it to TRANSPORT_OFFLINE, so I/O fails fast.
 */
public final class IscsiHostSession {
    private static final Logger log = LoggerFactory.getLogger(IscsiHostSession.class);

    /** ISCSI_SESSION_LOGGED_IN, ISCSI_SESSION_FAILED, ISCSI_SESSION_FREE. */
    public enum TransportState {
        LOGGED_IN,
        FAILED,
        FREE
    }

    private final IscsiLld lld;
    private final ScsiHost host;
    private final ScsiTarget target;
    private final RecoveringSession recovery;
    private final Map<ScsiDevice, ScsiDisk> disks = new ConcurrentHashMap<>();
    private volatile TransportState state = TransportState.LOGGED_IN;

    IscsiHostSession(IscsiLld lld, int hostNumber, RecoveringSession recovery) {
        this.lld = lld;
        this.recovery = recovery;
        this.host = new ScsiHost(hostNumber, lld, lld.policy(), lld.violations());
        this.target = host.target(0, 0);
        host.setUnblockVisitsCancel(lld.bartVisitsCancel());
        recovery.onStateChange(this::recoveryChanged);
    }

    public ScsiHost host() {
        return host;
    }

    public ScsiTarget target() {
        return target;
    }

    public RecoveringSession recovery() {
        return recovery;
    }

    public TransportState state() {
        return state;
    }

    public List<ScsiDisk> disks() {
        return target.devices().stream().map(disks::get).filter(d -> d != null).toList();
    }

    public ScsiDisk disk(int lun) {
        for (ScsiDevice d : target.devices()) {
            if (d.lun() == lun) {
                return disks.get(d);
            }
        }
        return null;
    }

    private void recoveryChanged(RecoveringSession.State from, RecoveringSession.State to) {
        switch (to) {
            case RECOVERING -> {
                state =
                        TransportState
                                .FAILED; // iscsi_block_session -> block work on the session device
                BlockControl.blockHost(host);
            }
            case LOGGED_IN -> {
                state = TransportState.LOGGED_IN; // iscsi_unblock_session
                BlockControl.unblockHost(host, DeviceState.RUNNING);
            }
            case FAILED -> {
                state = TransportState.FREE; // recovery_tmo expired: fail I/O fast
                BlockControl.unblockHost(host, DeviceState.TRANSPORT_OFFLINE);
            }
            default -> {}
        }
    }

    /**
     * Scans the target (scsi_scan_target): REPORT LUNS, then INQUIRY per LUN; a direct-access
     * device gets an sd disk that reads its capacity and write-cache setting.
     */
    public List<ScsiDisk> scan() {
        ScsiResult luns = recovery.execute(0, Cdbs.reportLuns(4096), null, 4096).join();
        if (!luns.good()) {
            throw new IllegalStateException("REPORT LUNS failed: " + luns);
        }
        ByteBuffer b = ByteBuffer.wrap(luns.data());
        int count = Math.min(b.getInt(0) / 8, (luns.data().length - 8) / 8);
        for (int i = 0; i < count; i++) {
            int lun = LunAddress.decode(b.getLong(8 + 8 * i));
            ScsiResult inq =
                    recovery.execute(LunAddress.encode(lun), Cdbs.inquiry(false, 0, 36), null, 36)
                            .join();
            if (!inq.good() || inq.data().length < 1 || (inq.data()[0] & 0xFF) != 0x00) {
                continue; // not a connected direct-access device
            }
            ScsiDevice device = host.addDevice(0, 0, lun);
            ScsiDisk disk = new ScsiDisk(device, false);
            disk.probe();
            disks.put(device, disk);
            log.info(
                    "{}: sd attached, {} blocks of {} bytes, write cache {}",
                    device.hctl(),
                    disk.blocks(),
                    disk.blockSize(),
                    disk.writeCacheEnabled() ? "on" : "off");
        }
        return disks();
    }

    /**
     * Logout and session removal, in open-iscsi's order by default (session_logout_task unbinds
     * before it sends the Logout PDU): on a logged-in session the devices are removed first (sd's
     * SYNCHRONIZE CACHE still reaches the target), then the Logout PDU goes ({@link
     * IscsiLld#setRemoveDevicesBeforeLogout} selects the other order). On a session that is not
     * logged in, iscsi_remove_session's order applies (docs/linux-midlayer.md §8, scenario D): stop
     * recovering, FREE, unblock to TRANSPORT_OFFLINE (parked I/O is killed), then remove the
     * target. Either way iscsi_host_remove removes the host last and the module reference goes.
     */
    public void logout() throws InterruptedException {
        if (recovery.state() != RecoveringSession.State.LOGGED_IN) {
            destroy();
            return;
        }
        if (lld.removeDevicesBeforeLogout()) {
            Removal.removeTarget(target, disks::get);
            recovery.logout().exceptionally(t -> null).join();
        } else {
            recovery.logout().exceptionally(t -> null).join();
            Removal.removeTarget(target, disks::get);
        }
        state = TransportState.FREE;
        Removal.removeHost(host, disks::get);
        lld.sessionGone(this);
    }

    /**
     * Session teardown without a logout (iscsi_remove_session, then iscsi_host_remove): stop
     * recovering, FREE, unblock to TRANSPORT_OFFLINE, remove the target, remove the host.
     */
    public void destroy() throws InterruptedException {
        recovery.close();
        state = TransportState.FREE;
        BlockControl.unblockTarget(target, DeviceState.TRANSPORT_OFFLINE);
        Removal.removeTarget(target, disks::get);
        Removal.removeHost(host, disks::get);
        lld.sessionGone(this);
    }

    /** What an LLD exit routine that removes its hosts does (ib_srp's srp_remove_target). */
    void removeHost() {
        try {
            Removal.removeHost(host, disks::get);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
