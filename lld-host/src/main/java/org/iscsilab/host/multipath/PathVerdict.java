package org.iscsilab.host.multipath;

import org.iscsilab.host.mid.HostResult;

/**
 * What a command's result says about the path it went down, as the tur checker and dm-mpath's error
 * handling read it: a good or a medium answer leaves the path up; NOT READY with LOGICAL UNIT NOT
 * ACCESSIBLE says the port's ALUA state (04h/0Bh standby: ghost, 04h/0Ch unavailable: down);
 * 04h/0Ah, a transition in progress, fails no path: Linux's ALUA device handler marks the port
 * group transitioning and has the command retried (alua_check_sense: NEEDS_RETRY, and an RTPG
 * queued), and the tur checker reports PATH_PENDING, which changes nothing. On 6.1 a 5 s transition
 * held a writer on its path 5.6 to 6.1 s before standby failed it over (docs/linux-guest.md). No
 * connection, a transport failure or a timeout fail the path. A UNIT ATTENTION for ASYMMETRIC
 * ACCESS STATE CHANGED asks for new priorities.
 *
 * @param transitioning the port is in an ALUA transition: retry on the same path
 */
record PathVerdict(
        PathState state, boolean pathError, boolean priorityChange, boolean transitioning) {
    PathVerdict(PathState state, boolean pathError, boolean priorityChange) {
        this(state, pathError, priorityChange, false);
    }

    static PathVerdict of(HostResult r) {
        if (r.hostByte() != HostResult.HostByte.DID_OK) {
            return new PathVerdict(PathState.DOWN, true, false);
        }
        if (r.status() != 0x02 || r.sense().length < 14) {
            return new PathVerdict(PathState.UP, false, false);
        }
        byte[] s = r.sense();
        boolean descriptor = (s[0] & 0x7F) >= 0x72;
        int key = (descriptor ? s[1] : s[2]) & 0x0F;
        int asc = (descriptor ? s[2] : s[12]) & 0xFF;
        int ascq = (descriptor ? s[3] : s[13]) & 0xFF;
        if (key == 0x06) { // UNIT ATTENTION: the path works; 2A/06 and 2A/07 change priorities
            return new PathVerdict(
                    PathState.UP, false, asc == 0x2A && (ascq == 0x06 || ascq == 0x07));
        }
        if (key == 0x02 && asc == 0x04) {
            return switch (ascq) {
                case 0x0B -> new PathVerdict(PathState.GHOST, true, true);
                case 0x0A -> new PathVerdict(PathState.PENDING, false, true, true);
                default -> new PathVerdict(PathState.DOWN, true, true);
            };
        }
        return new PathVerdict(PathState.UP, false, false);
    }
}
