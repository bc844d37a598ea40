package org.iscsilab.host.multipath;

/**
 * A path's state as multipathd keeps it (libmultipath/checkers.h): usable, usable only when no
 * other path is (a standby port: "ghost"), waiting for the checker to decide, or failed.
 */
public enum PathState {
    UP,
    GHOST,
    PENDING,
    DOWN
}
