package org.iscsilab.iscsi.initiator;

import java.util.List;

/** One target from a SendTargets answer (RFC 7143 §13.3): its name and "address:port,tpgt" entries. */
public record DiscoveredTarget(String name, List<String> addresses) {
}
