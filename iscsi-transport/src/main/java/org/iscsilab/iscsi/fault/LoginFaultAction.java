package org.iscsilab.iscsi.fault;

import java.time.Duration;
import org.iscsilab.core.fault.FaultAction;

/** Fault actions on login attempts, carried out by the iSCSI transport's login phase. */
public sealed interface LoginFaultAction extends FaultAction {
    @Override
    default Layer layer() {
        return Layer.LOGIN;
    }

    /** Refuses logins with this Status-Class and Status-Detail (RFC 7143 §11.13.5). */
    record RefuseLogin(int statusClass, int statusDetail) implements LoginFaultAction {}

    /**
     * Redirects normal logins (RFC 7143 §11.13.5, Status-Class 1): "target moved temporarily"
     * (0101h) or "permanently" (0102h), with the TargetAddress to log in to instead,
     * "host:port[,tpgt]".
     */
    record Redirect(String targetAddress, boolean permanent) implements LoginFaultAction {}

    /** Answers login requests after a delay. */
    record DelayLogin(Duration delay) implements LoginFaultAction {}
}
