package org.iscsilab.host.scenario;

/** The scenarios of docs/linux-midlayer.md that run over the wire, by letter first. */
public enum Scenario {
    A(
            "A-lld-unload-blocked",
            "LLD unload with a blocked target (the original SRP case): the module goes GOING, "
                    + "its exit removes the host, the recovery timeout's unblock comes during removal"),
    A_OPEN(
            "A-open-disk-pins-module",
            "scenario A with the disk held open: sd_open's scsi_device_get pins the LLD module, "
                    + "so a plain rmmod fails with EWOULDBLOCK; once it is closed the unload goes "
                    + "on as in A"),
    A_DIRTY(
            "A-dirty-page-cache",
            "scenario A with the write cache off (write through) and dirty blocks in the page "
                    + "cache: del_gendisk's fsync_bdev writes them back onto the stopped queue, "
                    + "so not sending SYNCHRONIZE CACHE is not enough"),
    A_PARKED_IO(
            "A-parked-user-io",
            "scenario A with the write cache off and a user read parked on the blocked queue: "
                    + "blk_cleanup_queue waits for the queue to drain"),
    B(
            "B-remove-blocked-lun",
            "removing a LUN of a recovering session (sysfs delete), then the session logs in again"),
    B_SIBLINGS(
            "B-several-luns",
            "scenario B on a target with three LUNs: LUN 0 is deleted while the session "
                    + "recovers; after the relogin LUNs 1 and 2 run and serve I/O whatever "
                    + "becomes of the delete"),
    B_CASCADE(
            "B-cascade-logout-after-stuck-delete",
            "scenario B, then a logout of the same session: scsi_remove_host waits for the "
                    + "scan_mutex a stuck delete holds"),
    B_MP(
            "B-mp-remove-blocked-path",
            "scenario B with two paths under dm-multipath: portal group 1 freezes while a writer "
                    + "goes through the multipath device, path 1's disk is deleted while blocked, "
                    + "portal 1 thaws; the write held on path 1 must fail over to path 2"),
    B_MP_ALL(
            "B-mp-both-paths-blocked",
            "both portal groups freeze, so the writes wait (queue_if_no_path); path 1's disk is "
                    + "deleted while blocked, both thaw; the writes must complete over path 2"),
    D(
            "D-logout-while-recovering",
            "the session is destroyed while recovering: unblock to transport-offline, "
                    + "then removal (the positive control)"),
    D2(
            "D2-forced-unload-while-recovering",
            "iscsi_tcp force-unloaded while its session recovers: its exit unregisters the "
                    + "transport with the session alive, and transport_container_unregister BUG()s"),
    D2_RACE(
            "D2-race-forced-unload-vs-destroy",
            "a forced unload of iscsi_tcp while a DESTROY_SESSION request holds rx_queue_mutex "
                    + "and a module reference: the destroy runs with the module GOING, so its "
                    + "unblock cannot get the device"),
    E(
            "E-timeout-then-relogin",
            "the replacement timeout takes the device transport-offline, I/O fails fast, "
                    + "a later relogin brings it back to running"),
    F("F-sysfs-state-write", "writing 'running' to a blocked device's sysfs state"),
    H(
            "H-transport-fails-during-removal",
            "the transport fails while a removal waits for sd's SYNCHRONIZE CACHE: the block meets"
                    + " a device in CANCEL (James's CANCEL -> CANCEL_BLOCK), then the session"
                    + " logs in again");

    private final String id;
    private final String description;

    Scenario(String id, String description) {
        this.id = id;
        this.description = description;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /**
     * How many paths the host has to LUN 0: two (one per portal group, under a multipath device)
     * for the multipath scenarios, else one.
     */
    public int paths() {
        return this == B_MP || this == B_MP_ALL ? 2 : 1;
    }

    /** How many LUNs the scenario's target needs (LUN 0 is the scenario's disk). */
    public int luns() {
        return this == B_SIBLINGS ? 3 : 1;
    }

    public static Scenario parse(String text) {
        return ScenarioNames.parse(
                values(), Scenario::id, text, "scenario", "C-block-remove-race, all or races");
    }
}
