package org.iscsilab.host.mid;

/**
 * enum scsi_device_state (include/scsi/scsi_device.h) with the strings sysfs shows for each
 * (scsi_sysfs.c sdev_states), plus CANCEL_BLOCK, the state James Bottomley proposed in 2017 and
 * that was never merged: a blocked device whose removal has started, shown as "blocked".
 */
public enum DeviceState {
    CREATED("created"),
    RUNNING("running"),
    CANCEL("cancel"),
    DEL("deleted"),
    QUIESCE("quiesce"),
    OFFLINE("offline"),
    TRANSPORT_OFFLINE("transport-offline"),
    BLOCK("blocked"),
    CREATED_BLOCK("created-blocked"),
    CANCEL_BLOCK("blocked");

    private final String sysfs;

    DeviceState(String sysfs) {
        this.sysfs = sysfs;
    }

    /** The value of /sys/class/scsi_device/H:C:T:L/device/state. */
    public String sysfs() {
        return sysfs;
    }

    /** scsi_device_online(): false only for OFFLINE, TRANSPORT_OFFLINE and DEL. */
    public boolean online() {
        return this != OFFLINE && this != TRANSPORT_OFFLINE && this != DEL;
    }

    /** BLOCK, CREATED_BLOCK or CANCEL_BLOCK: no command may reach the LLD. */
    public boolean blocked() {
        return this == BLOCK || this == CREATED_BLOCK || this == CANCEL_BLOCK;
    }
}
