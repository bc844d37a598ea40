package org.iscsilab.host.mid;

/**
 * What multipathd's sysfs path checker concludes from a device's state string
 * (libmultipath/discovery.c path_offline / path_sysfs_state, matched by prefix).
 */
public enum MultipathView {
    PATH_UP,
    PATH_PENDING,
    PATH_DOWN,
    PATH_REMOVED;

    /**
     * The checker's result for a state string; null means the attribute could not be read (ENXIO).
     */
    public static MultipathView of(String sysfsState) {
        if (sysfsState == null) {
            return PATH_REMOVED;
        }
        if (sysfsState.startsWith("offline")) {
            return PATH_DOWN;
        }
        if (sysfsState.startsWith("blocked") || sysfsState.startsWith("quiesce")) {
            return PATH_PENDING;
        }
        if (sysfsState.startsWith("running")) {
            return PATH_UP;
        }
        return PATH_DOWN; // transport-offline, created-blocked, cancel, deleted, created
    }
}
