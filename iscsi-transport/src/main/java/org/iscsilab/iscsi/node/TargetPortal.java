package org.iscsilab.iscsi.node;

import java.util.List;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.core.fault.FaultRules;

/** What a connection needs from the server it arrived on: targets, settings, sessions. */
interface TargetPortal {
    TargetSettings settings();

    int portalGroupTag();

    IscsiTarget target(String name);

    List<IscsiTarget> targets();

    /** TargetAddress values SendTargets reports, "host:port,tpgt" (RFC 7143 §13.8). */
    List<String> targetAddresses();

    SessionRegistry sessions();

    /** The fault rules in force on this server. */
    FaultRules faults();

    /** The server's event log. */
    EventLog events();

    /** The server's meters. */
    org.iscsilab.iscsi.metrics.TargetMetrics metrics();

    /** What discovery sessions must authenticate with. */
    org.iscsilab.iscsi.login.ChapRequirement discoveryChap();

    /** Connections whose first Login Request waits for a freeze to be lifted. */
    java.util.Set<TargetConnection> frozenLogins();
}
