package org.iscsilab.host.mid;

import static org.iscsilab.host.mid.DeviceState.BLOCK;
import static org.iscsilab.host.mid.DeviceState.CANCEL;
import static org.iscsilab.host.mid.DeviceState.CANCEL_BLOCK;
import static org.iscsilab.host.mid.DeviceState.CREATED;
import static org.iscsilab.host.mid.DeviceState.CREATED_BLOCK;
import static org.iscsilab.host.mid.DeviceState.DEL;
import static org.iscsilab.host.mid.DeviceState.OFFLINE;
import static org.iscsilab.host.mid.DeviceState.QUIESCE;
import static org.iscsilab.host.mid.DeviceState.RUNNING;
import static org.iscsilab.host.mid.DeviceState.TRANSPORT_OFFLINE;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The kernel behaviour a run models: the transition table of scsi_device_set_state() and the three
 * places the 2017 fixes differ (how target unblock picks devices, how removal treats a blocked
 * device, whether SYNCHRONIZE CACHE goes to a blocked device being removed).
 *
 * <ul>
 *   <li>{@code v4.11}: the race. Unblock skips devices scsi_device_get refuses (CANCEL, DEL, module
 *       GOING).
 *   <li>{@code bart}: v4.11, but unblock visits every device not in DEL, without scsi_device_get.
 *       Whether Bart's patch also visited CANCEL devices is not known; by default we visit them
 *       ({@link ScsiHost#setUnblockVisitsCancel} turns that off).
 *   <li>{@code cancel-block}: v4.11 plus CANCEL_BLOCK: removing a blocked device moves it to
 *       CANCEL_BLOCK, scsi_device_get accepts it, unblock turns it into CANCEL.
 *   <li>{@code cancel-block-drop-sync}: cancel-block, and sd sends no SYNCHRONIZE CACHE to a
 *       CANCEL_BLOCK device.
 *   <li>{@code v4.13}: the upstream fix: BLOCK->DEL is legal, BLOCK->CANCEL is not; removal of a
 *       blocked device goes to DEL and restarts its queue, under the device's state mutex.
 *   <li>{@code current}: v4.13 plus later table additions (QUIESCE->BLOCK, OFFLINE->BLOCK) and an
 *       unblock that accepts only RUNNING or TRANSPORT_OFFLINE as the new state.
 * </ul>
 */
public enum Policy {
    V4_11("v4.11"),
    BART("bart"),
    CANCEL_BLOCK_STATE("cancel-block"),
    CANCEL_BLOCK_DROP_SYNC("cancel-block-drop-sync"),
    V4_13("v4.13"),
    CURRENT("current");

    private final String label;
    private final Map<DeviceState, Set<DeviceState>> allowedFrom;

    Policy(String label) {
        this.label = label;
        this.allowedFrom = table(label);
    }

    public String label() {
        return label;
    }

    public static Policy parse(String text) {
        for (Policy p : values()) {
            if (p.label.equals(text.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException(
                "unknown policy '"
                        + text
                        + "'; use v4.11, bart, cancel-block, "
                        + "cancel-block-drop-sync, v4.13 or current");
    }

    /**
     * scsi_device_set_state(): setting the current state is a no-op; otherwise the table decides.
     */
    public boolean allows(DeviceState from, DeviceState to) {
        return from == to || allowedFrom.get(to).contains(from);
    }

    /** Whether the model has the CANCEL_BLOCK state at all. */
    public boolean hasCancelBlock() {
        return this == CANCEL_BLOCK_STATE || this == CANCEL_BLOCK_DROP_SYNC;
    }

    /**
     * v4.13 and later: removal goes BLOCK->DEL with a queue restart, and state changes take
     * state_mutex.
     */
    public boolean removalToDel() {
        return this == V4_13 || this == CURRENT;
    }

    /**
     * bart: target unblock visits devices without scsi_device_get, so a GOING module hides nothing.
     */
    public boolean unblockWithoutDeviceGet() {
        return this == BART;
    }

    /** cancel-block-drop-sync: sd_sync_cache sends nothing to a CANCEL_BLOCK device. */
    public boolean dropSyncCacheWhenCancelBlocked() {
        return this == CANCEL_BLOCK_DROP_SYNC;
    }

    /**
     * current: scsi_internal_device_unblock_nowait rejects new states other than RUNNING and
     * TRANSPORT_OFFLINE.
     */
    public boolean strictUnblockTarget() {
        return this == CURRENT;
    }

    /**
     * The kernel series a real guest of this policy's generation runs: 4.9 for v4.11 and the
     * proposals made against it (4.9.337, the last 4.9 LTS, has the 4.11 mid-layer code unchanged),
     * 6.1 for v4.13 and current (both have BLOCK->DEL).
     */
    public String realKernelSeries() {
        return removalToDel() ? "6.1" : "4.9";
    }

    /** What the policy models, in one phrase for tables and help. */
    public String models() {
        return switch (this) {
            case V4_11 -> "Linux 4.11's mid-layer, as 4.9.337 still runs it";
            case BART, CANCEL_BLOCK_STATE, CANCEL_BLOCK_DROP_SYNC ->
                    "a fix proposed on 4.11 in the 2017 thread, never merged";
            case V4_13 -> "Linux 4.13's mid-layer (BLOCK->DEL)";
            case CURRENT -> "Linux 6.x's mid-layer";
        };
    }

    /** The kernel generation whose mid-layer the policy is, or builds on. */
    public String modelledKernel() {
        return switch (this) {
            case V4_11 -> "4.11";
            case BART, CANCEL_BLOCK_STATE, CANCEL_BLOCK_DROP_SYNC -> "4.11 with a 2017 proposal";
            case V4_13 -> "4.13";
            case CURRENT -> "6.1 / 6.12";
        };
    }

    /**
     * Where the modelled behaviour comes from: the kernel source it follows, the upstream commits
     * (subjects; ids where known, marked when unconfirmed) or, for the proposals the thread shows
     * only in part, what is reconstructed.
     */
    public String provenance() {
        return switch (this) {
            case V4_11 -> PROVENANCE_V4_11;
            case BART -> PROVENANCE_BART;
            case CANCEL_BLOCK_STATE -> PROVENANCE_CANCEL_BLOCK;
            case CANCEL_BLOCK_DROP_SYNC -> PROVENANCE_CANCEL_BLOCK_DROP_SYNC;
            case V4_13 -> PROVENANCE_V4_13;
            case CURRENT -> PROVENANCE_CURRENT;
        };
    }

    private static final String PROVENANCE_V4_11 =
            "Linux 4.11.0 drivers/scsi (scsi_device_set_state, scsi_internal_device_unblock,"
                    + " scsi_device_get, __scsi_remove_device), unchanged in 4.9.337";
    private static final String PROVENANCE_BART =
            "reconstructed from the thread: Bart Van Assche's \"Unblock SCSI devices even if the"
                    + " LLD is being unloaded\" (the target unblock without scsi_device_get);"
                    + " whether it visits CANCEL devices is not shown";
    private static final String PROVENANCE_CANCEL_BLOCK =
            "reconstructed from the thread: James Bottomley's CANCEL_BLOCK diff; only its"
                    + " scsi_device_set_state hunk (CANCEL -> CANCEL_BLOCK) is visible, the rest is"
                    + " reconstructed";
    private static final String PROVENANCE_CANCEL_BLOCK_DROP_SYNC =
            "reconstructed from the thread: CANCEL_BLOCK as cancel-block, and sd sending no"
                    + " SYNCHRONIZE CACHE to a CANCEL_BLOCK device (reconstructed)";
    private static final String PROVENANCE_V4_13 =
            "upstream, v4.13: \"scsi: Make __scsi_remove_device go straight from BLOCKED to DEL\""
                    + " (255ee9320e5d, id unconfirmed), \"scsi: Protect SCSI device state changes"
                    + " with a mutex\", \"scsi: Introduce scsi_start_queue()\", and the splits of"
                    + " scsi_internal_device_block/unblock";
    private static final String PROVENANCE_CURRENT =
            "v4.13's commits and \"scsi: core: Allow the state change from SDEV_QUIESCE to"
                    + " SDEV_BLOCK\" (6cbb7aeded71), OFFLINE -> BLOCK (commit unconfirmed), the"
                    + " unblock_nowait new-state check, and the sysfs state-write restrictions of"
                    + " 2019 and 2022";

    /** Every policy with where its behaviour comes from, for help texts. */
    public static final String PROVENANCE_HELP =
            "Where each policy comes from:%n"
                    + "  v4.11: "
                    + PROVENANCE_V4_11
                    + "%n  bart: "
                    + PROVENANCE_BART
                    + "%n  cancel-block: "
                    + PROVENANCE_CANCEL_BLOCK
                    + "%n  cancel-block-drop-sync: "
                    + PROVENANCE_CANCEL_BLOCK_DROP_SYNC
                    + "%n  v4.13: "
                    + PROVENANCE_V4_13
                    + "%n  current: "
                    + PROVENANCE_CURRENT;

    @Override
    public String toString() {
        return label;
    }

    /** The allowed old states for each new state (docs/linux-midlayer.md §2). */
    private static Map<DeviceState, Set<DeviceState>> table(String label) {
        Map<DeviceState, Set<DeviceState>> t = new EnumMap<>(DeviceState.class);
        for (DeviceState s : DeviceState.values()) {
            t.put(s, EnumSet.noneOf(DeviceState.class));
        }
        t.get(CREATED).add(CREATED_BLOCK);
        t.get(RUNNING).addAll(EnumSet.of(CREATED, OFFLINE, TRANSPORT_OFFLINE, QUIESCE, BLOCK));
        t.get(QUIESCE).addAll(EnumSet.of(RUNNING, OFFLINE, TRANSPORT_OFFLINE));
        t.get(OFFLINE).addAll(EnumSet.of(CREATED, RUNNING, QUIESCE, BLOCK));
        t.get(TRANSPORT_OFFLINE).addAll(EnumSet.of(CREATED, RUNNING, QUIESCE, BLOCK));
        t.get(BLOCK).addAll(EnumSet.of(RUNNING, CREATED_BLOCK));
        t.get(CREATED_BLOCK).add(CREATED);
        t.get(CANCEL)
                .addAll(EnumSet.of(CREATED, RUNNING, QUIESCE, OFFLINE, TRANSPORT_OFFLINE, BLOCK));
        t.get(DEL)
                .addAll(
                        EnumSet.of(
                                CREATED,
                                RUNNING,
                                OFFLINE,
                                TRANSPORT_OFFLINE,
                                CANCEL,
                                CREATED_BLOCK));
        switch (label) {
            case "cancel-block", "cancel-block-drop-sync" -> {
                // James's visible hunk: CANCEL -> CANCEL_BLOCK, a device whose removal has
                // started is blocked by the transport. Reconstructed: a blocked device whose
                // removal starts goes BLOCK -> CANCEL_BLOCK instead of CANCEL, an unblock makes
                // it CANCEL, and it may be deleted.
                t.get(CANCEL_BLOCK).add(CANCEL);
                t.get(CANCEL).remove(BLOCK);
                t.get(CANCEL_BLOCK).add(BLOCK);
                t.get(CANCEL).add(CANCEL_BLOCK);
                t.get(DEL).add(CANCEL_BLOCK);
            }
            case "v4.13" -> {
                t.get(CANCEL).remove(BLOCK);
                t.get(DEL).add(BLOCK);
            }
            case "current" -> {
                t.get(CANCEL).remove(BLOCK);
                t.get(DEL).add(BLOCK);
                t.get(BLOCK).addAll(EnumSet.of(QUIESCE, OFFLINE));
            }
            default -> {
                // v4.11 and bart share the v4.11 table
            }
        }
        return t;
    }
}
