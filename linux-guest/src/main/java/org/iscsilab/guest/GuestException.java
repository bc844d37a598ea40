package org.iscsilab.guest;

/** The guest could not be built or booted, or its run broke off. */
public final class GuestException extends RuntimeException {
    public GuestException(String message) {
        super(message);
    }
}
