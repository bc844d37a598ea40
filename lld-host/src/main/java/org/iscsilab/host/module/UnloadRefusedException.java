package org.iscsilab.host.module;

/** delete_module() refused: EBUSY (not LIVE) or EWOULDBLOCK (still referenced, not forced). */
public final class UnloadRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String errno;

    UnloadRefusedException(String errno, String message) {
        super(errno + ": " + message, null, false, false);
        this.errno = errno;
    }

    public String errno() {
        return errno;
    }
}
