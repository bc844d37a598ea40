package org.iscsilab.iscsi.node;

import java.util.List;
import java.util.Set;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.core.fault.FaultRules;
import org.iscsilab.iscsi.login.ChapRequirement;
import org.iscsilab.iscsi.metrics.TargetMetrics;

/** What a connection needs from the server it arrived on: targets, settings, sessions. */
interface TargetPortal {
    TargetSettings settings();

    IscsiTarget target(String name);

    List<IscsiTarget> targets();

    /**
     * TargetAddress values SendTargets reports, "host:port,tpgt" (RFC 7143 §13.8): every portal of
     * every portal group, each with its group's tag.
     */
    List<String> targetAddresses();

    SessionRegistry sessions();

    /** The fault rules in force on this server. */
    FaultRules faults();

    /** The server's event log. */
    EventLog events();

    /** The server's meters. */
    TargetMetrics metrics();

    /** What discovery sessions must authenticate with. */
    ChapRequirement discoveryChap();

    /** Connections whose first Login Request waits for a freeze to be lifted. */
    Set<TargetConnection> frozenLogins();
}
