package org.iscsilab.core.alua;

import java.util.List;

/**
 * A target port group as REPORT TARGET PORT GROUPS describes it (SPC-5 §6.38): its number, the
 * relative target port identifiers of its ports, its access state, the preferred bit (PREF), and
 * how the state last changed (STATUS CODE: 0 none, 1 by SET TARGET PORT GROUPS, 2 implicitly).
 */
public record TargetPortGroup(
        int id, List<Integer> ports, AccessState state, boolean preferred, int statusCode) {
    public static final int STATUS_NONE = 0;
    public static final int STATUS_EXPLICIT = 1;
    public static final int STATUS_IMPLICIT = 2;

    public TargetPortGroup {
        if (id < 0 || id > 0xFFFF) {
            throw new IllegalArgumentException(
                    "target port group " + id + " is not a 16-bit number");
        }
        for (int p : ports) {
            if (p < 1 || p > 0xFFFF) {
                throw new IllegalArgumentException(
                        "relative target port " + p + " is not between 1 and 65535");
            }
        }
        ports = List.copyOf(ports);
    }

    /** A group in its first state, no change reported yet. */
    public static TargetPortGroup of(int id, List<Integer> ports, AccessState state) {
        return new TargetPortGroup(id, ports, state, false, STATUS_NONE);
    }

    public TargetPortGroup withState(AccessState to, int status) {
        return new TargetPortGroup(id, ports, to, preferred, status);
    }

    public TargetPortGroup withPreferred(boolean pref) {
        return new TargetPortGroup(id, ports, state, pref, statusCode);
    }
}
