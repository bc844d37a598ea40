package org.iscsilab.iscsi.initiator;

import org.iscsilab.iscsi.login.LoginStatus;

/** The target answered the login with a non-zero Status-Class (RFC 7143 §11.13.5). */
public final class LoginRefusedException extends IscsiInitiatorException {
    private static final long serialVersionUID = 1L;

    private final int statusClass;
    private final int statusDetail;
    private final String targetAddress;

    public LoginRefusedException(int statusClass, int statusDetail) {
        this(statusClass, statusDetail, null);
    }

    /** A refusal; for a redirection (class 1), the TargetAddress the target named. */
    public LoginRefusedException(int statusClass, int statusDetail, String targetAddress) {
        super(
                "login refused: "
                        + LoginStatus.of(statusClass, statusDetail)
                        + String.format(" (class 0x%02x, detail 0x%02x)", statusClass, statusDetail)
                        + (targetAddress == null ? "" : ", to " + targetAddress));
        this.statusClass = statusClass;
        this.statusDetail = statusDetail;
        this.targetAddress = targetAddress;
    }

    /** For a redirection (RFC 7143 §11.13.5, class 1): "host:port[,tpgt]"; else null. */
    public String targetAddress() {
        return targetAddress;
    }

    public int statusClass() {
        return statusClass;
    }

    public int statusDetail() {
        return statusDetail;
    }
}
