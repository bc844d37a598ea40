package org.iscsilab.host.scenario;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.server.EmbeddedTarget;

/**
 * The iscsilab target a scenario runs against: where to log in, and its fault rules and event log —
 * in this process (an embedded target) or over its admin HTTP API.
 */
public interface ScenarioTarget extends AutoCloseable {
    InetSocketAddress portal();

    String iqn();

    /** Adds a fault rule; returns its id. */
    int addFault(String rule) throws Exception;

    void removeFault(int id) throws Exception;

    /** Every portal, in the order of its portal groups (the first is {@link #portal()}). */
    default List<InetSocketAddress> portals() {
        return List.of(portal());
    }

    /**
     * Changes the access state of target port group {@code group} (SPC-5 §5.16): at once, or after
     * {@code transition} in the transitioning state when it is not null.
     */
    void setAccessState(int group, String state, Duration transition) throws Exception;

    /** Events recorded so far (the sequence number of the newest). */
    long eventsRecorded() throws Exception;

    /** The events after a sequence number, oldest first. */
    List<EventLog.Event> eventsAfter(long sequence) throws Exception;

    @Override
    void close();

    /** A target in this process with one 64 MiB RAM LUN. */
    static ScenarioTarget embedded() throws Exception {
        return embedded(1);
    }

    /** A target in this process with {@code luns} 64 MiB RAM LUNs. */
    static ScenarioTarget embedded(int luns) throws Exception {
        return new EmbeddedScenarioTarget(null, luns);
    }

    /**
     * The same, with SendTargets advertising {@code host} and the bound port (10.0.2.2 for a QEMU
     * guest).
     */
    static ScenarioTarget embedded(String advertisedHost) throws Exception {
        return new EmbeddedScenarioTarget(advertisedHost, 1);
    }

    /**
     * A target in this process reached through two portal groups, each a target port group of its
     * own: 1 active/optimized and preferred, 2 active/non-optimized (ALUA both implicit and
     * explicit); SendTargets advertises {@code advertisedHost} (null: the bound addresses).
     */
    static ScenarioTarget twoPortalGroups(String advertisedHost) throws Exception {
        return new EmbeddedScenarioTarget(
                EmbeddedTarget.twoPortalGroups(advertisedHost, "ram:64M"));
    }

    /** A running iscsilab target at iscsi://HOST:PORT/IQN, with its admin API at HOST:PORT. */
    static ScenarioTarget remote(String url, String admin) {
        return new RemoteScenarioTarget(url, admin);
    }

    /** One event as a scenario report shows it. */
    static String describe(EventLog.Event e) {
        return switch (e.type()) {
            case COMMAND ->
                    String.format("command 0x%02x LUN %d: %s", e.opcode(), e.lun(), e.status());
            case TASK_MANAGEMENT ->
                    "task management " + e.detail() + " LUN " + e.lun() + ": " + e.status();
            case LOGIN ->
                    "login " + e.status() + (e.detail() == null ? "" : " (" + e.detail() + ")");
            case LOGOUT -> "logout";
            case FAULT -> "fault fired: " + e.detail();
            case ALUA -> "access state: " + e.detail();
        };
    }
}
