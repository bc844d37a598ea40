package org.iscsilab.iscsi.initiator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections of one initiator session (RFC 7143 §4.2.1, §6.3): those in the full feature
 * phase, in login order; the further ones it opens after the leading login, each logging in with
 * the session's TSIH, up to the negotiated MaxConnections (§13.2); a new connection to take a
 * failed one's CID (§6.3.4); and the round robin that picks the connection a request goes out on.
 * Event loop only, but for {@link #count}.
 */
final class InitiatorConnections {
    private static final Logger log = LoggerFactory.getLogger(InitiatorConnections.class);

    private final InitiatorSession session;
    private final InitiatorConfig config;
    private final InitiatorSession.Connector connector;

    /** The connections in the full feature phase, in login order. */
    private final List<InitiatorConnection> members = new ArrayList<>();

    private int nextCid = 1;
    private int roundRobin;
    private volatile int count;

    InitiatorConnections(
            InitiatorSession session,
            InitiatorConfig config,
            InitiatorSession.Connector connector) {
        this.session = session;
        this.config = config;
        this.connector = connector;
    }

    /** {@code conn} logged in: requests may go out on it. */
    void add(InitiatorConnection conn) {
        members.add(conn);
        count = members.size();
    }

    /** {@code conn} closed; false when it had not logged in. */
    boolean remove(InitiatorConnection conn) {
        boolean wasMember = members.remove(conn);
        count = members.size();
        return wasMember;
    }

    /**
     * Opens the further connections the configuration asks for, up to the negotiated
     * MaxConnections; completes, never exceptionally, once each has logged in or failed to.
     */
    CompletableFuture<Void> openMore() {
        int wanted =
                Math.min(
                        config.sessionKeys().maxConnections(),
                        session.parameters().maxConnections());
        List<CompletableFuture<InitiatorConnection>> joins = new ArrayList<>();
        for (int i = 1; i < wanted; i++) {
            InitiatorConnection c =
                    new InitiatorConnection(session, config, nextCid++, session.tsih());
            joins.add(c.loginFuture());
            connector.connect(c, session.loop());
        }
        return CompletableFuture.allOf(
                        joins.stream()
                                .map(f -> f.handle((c, e) -> e == null ? c : null))
                                .toArray(CompletableFuture<?>[]::new))
                .whenComplete(
                        (v, e) -> {
                            long refused =
                                    joins.stream()
                                            .filter(CompletableFuture::isCompletedExceptionally)
                                            .count();
                            if (refused > 0) {
                                log.warn(
                                        "session TSIH {}: {} of {} further connections could not"
                                                + " log in",
                                        session.tsih(),
                                        refused,
                                        joins.size());
                            }
                        });
    }

    /** A new connection with a failed one's CID, its login acknowledging what that one got. */
    CompletableFuture<InitiatorConnection> reconnect(int cid, int expStatSn) {
        InitiatorConnection c =
                new InitiatorConnection(session, config, cid, session.tsih(), expStatSn);
        connector.connect(c, session.loop());
        return c.loginFuture();
    }

    /** The next connection a request goes out on: round robin over the live ones. */
    InitiatorConnection pick() {
        int n = members.size();
        for (int i = 0; i < n; i++) {
            InitiatorConnection c = members.get(Math.floorMod(roundRobin++, n));
            if (c.active()) {
                return c;
            }
        }
        return null;
    }

    boolean anyActive() {
        for (InitiatorConnection c : members) {
            if (c.active()) {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    int size() {
        return members.size();
    }

    /** How many connections are in the full feature phase; from any thread. */
    int count() {
        return count;
    }

    List<InitiatorConnection> snapshot() {
        return List.copyOf(members);
    }

    void closeAll() {
        snapshot().forEach(InitiatorConnection::close);
    }
}
