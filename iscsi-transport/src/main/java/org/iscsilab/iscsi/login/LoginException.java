package org.iscsilab.iscsi.login;

/**
 * Ends a login with a Login Response carrying this Status-Class and Status-Detail (RFC 7143
 * §11.13.5).
 */
public final class LoginException extends Exception {
    private static final long serialVersionUID = 1L;

    private final LoginStatus status;

    public LoginException(LoginStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public LoginStatus status() {
        return status;
    }
}
