package org.iscsilab.iscsi.initiator;

/** The initiator could not do what was asked: login refused, connection lost, timeout, Reject. */
public class IscsiInitiatorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IscsiInitiatorException(String message) {
        super(message);
    }

    public IscsiInitiatorException(String message, Throwable cause) {
        super(message, cause);
    }
}
