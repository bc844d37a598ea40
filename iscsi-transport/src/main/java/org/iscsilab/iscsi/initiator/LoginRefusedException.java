package org.iscsilab.iscsi.initiator;

import org.iscsilab.iscsi.login.LoginStatus;

/** The target answered the login with a non-zero Status-Class (RFC 7143 §11.13.5). */
public final class LoginRefusedException extends IscsiInitiatorException {
    private static final long serialVersionUID = 1L;

    private final int statusClass;
    private final int statusDetail;

    public LoginRefusedException(int statusClass, int statusDetail) {
        super(
                "login refused: "
                        + LoginStatus.of(statusClass, statusDetail)
                        + String.format(
                                " (class 0x%02x, detail 0x%02x)", statusClass, statusDetail));
        this.statusClass = statusClass;
        this.statusDetail = statusDetail;
    }

    public int statusClass() {
        return statusClass;
    }

    public int statusDetail() {
        return statusDetail;
    }
}
