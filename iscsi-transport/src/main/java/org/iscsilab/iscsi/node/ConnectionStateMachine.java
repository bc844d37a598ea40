package org.iscsilab.iscsi.node;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** The one place a target connection changes state; every transition is checked and observable. */
public final class ConnectionStateMachine {
    private ConnectionState state = ConnectionState.IN_LOGIN;
    private final List<BiConsumer<ConnectionState, ConnectionState>> listeners = new ArrayList<>();

    public ConnectionState state() {
        return state;
    }

    public void onTransition(BiConsumer<ConnectionState, ConnectionState> listener) {
        listeners.add(listener);
    }

    /** Moves to {@code next}; an illegal transition is a programming error and throws. */
    public void moveTo(ConnectionState next) {
        if (state == next) {
            return;
        }
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("connection cannot move from " + state + " to " + next);
        }
        ConnectionState previous = state;
        state = next;
        listeners.forEach(l -> l.accept(previous, next));
    }
}
