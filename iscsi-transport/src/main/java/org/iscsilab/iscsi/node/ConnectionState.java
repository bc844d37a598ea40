package org.iscsilab.iscsi.node;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Target connection states (RFC 7143 §8.1.3, simplified: a connection that fails at
 * ErrorRecoveryLevel 2 goes FREE too, and its session's {@link ConnectionRecovery} keeps its tasks,
 * the part of S7 CLEANUP_WAIT that matters): the transition table lives here and {@link
 * ConnectionStateMachine} is its only enforcer.
 */
public enum ConnectionState {
    /** S4 IN_LOGIN: exchanging Login Requests and Responses. */
    IN_LOGIN,
    /** S5 LOGGED_IN: full feature phase. */
    LOGGED_IN,
    /** S6 IN_LOGOUT: a Logout Request was accepted; the response is on its way. */
    IN_LOGOUT,
    /** S1 FREE: the transport connection is closed. */
    FREE;

    private static final Map<ConnectionState, Set<ConnectionState>> ALLOWED =
            Map.of(
                    IN_LOGIN, EnumSet.of(LOGGED_IN, FREE),
                    LOGGED_IN, EnumSet.of(IN_LOGOUT, FREE),
                    IN_LOGOUT, EnumSet.of(FREE),
                    FREE, EnumSet.noneOf(ConnectionState.class));

    public boolean canMoveTo(ConnectionState next) {
        return ALLOWED.get(this).contains(next);
    }
}
