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

    /** Answers login requests after a delay. */
    record DelayLogin(Duration delay) implements LoginFaultAction {}
}
