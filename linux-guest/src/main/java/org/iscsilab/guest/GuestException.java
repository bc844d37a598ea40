package org.iscsilab.guest;

/** The guest could not be built or booted, or its run broke off. */
public final class GuestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GuestException(String message) {
        super(message);
    }
}
