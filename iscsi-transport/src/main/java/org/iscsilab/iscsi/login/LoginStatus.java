package org.iscsilab.iscsi.login;

/** Login Response Status-Class and Status-Detail values (RFC 7143 §11.13.5). */
public enum LoginStatus {
    SUCCESS(0x00, 0x00, "success"),
    TARGET_MOVED_TEMPORARILY(0x01, 0x01, "target moved temporarily"),
    TARGET_MOVED_PERMANENTLY(0x01, 0x02, "target moved permanently"),
    INITIATOR_ERROR(0x02, 0x00, "initiator error"),
    AUTHENTICATION_FAILURE(0x02, 0x01, "authentication failure"),
    AUTHORIZATION_FAILURE(0x02, 0x02, "authorization failure"),
    NOT_FOUND(0x02, 0x03, "target not found"),
    TARGET_REMOVED(0x02, 0x04, "target removed"),
    UNSUPPORTED_VERSION(0x02, 0x05, "unsupported version"),
    TOO_MANY_CONNECTIONS(0x02, 0x06, "too many connections"),
    MISSING_PARAMETER(0x02, 0x07, "missing parameter"),
    CANT_INCLUDE_IN_SESSION(0x02, 0x08, "cannot include in session"),
    SESSION_TYPE_NOT_SUPPORTED(0x02, 0x09, "session type not supported"),
    SESSION_DOES_NOT_EXIST(0x02, 0x0A, "session does not exist"),
    INVALID_DURING_LOGIN(0x02, 0x0B, "invalid request during login"),
    TARGET_ERROR(0x03, 0x00, "target error"),
    SERVICE_UNAVAILABLE(0x03, 0x01, "service unavailable"),
    OUT_OF_RESOURCES(0x03, 0x02, "out of resources");

    private final int statusClass;
    private final int detail;
    private final String text;

    LoginStatus(int statusClass, int detail, String text) {
        this.statusClass = statusClass;
        this.detail = detail;
        this.text = text;
    }

    public int statusClass() {
        return statusClass;
    }

    public int detail() {
        return detail;
    }

    public int code() {
        return (statusClass << 8) | detail;
    }

    public static LoginStatus of(int statusClass, int detail) {
        for (LoginStatus s : values()) {
            if (s.statusClass == statusClass && s.detail == detail) {
                return s;
            }
        }
        return statusClass == 0x03 ? TARGET_ERROR : INITIATOR_ERROR;
    }

    @Override
    public String toString() {
        return String.format("%s (0x%04x)", text, code());
    }
}
