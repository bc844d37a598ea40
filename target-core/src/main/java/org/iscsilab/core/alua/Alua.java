package org.iscsilab.core.alua;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.nexus.UnitAttentions;
import org.iscsilab.scsi.AdditionalSense;

/**
 * The asymmetric access states of one SCSI target device's target port groups (SPC-5 §5.16), and
 * the one place they change. A group holds relative target port identifiers; a port no group lists
 * belongs to the group configured without ports (the default group). Every change establishes
 * ASYMMETRIC ACCESS STATE CHANGED on the target's logical units: for every I_T nexus when the
 * change is implicit, for every one but the requester's when SET TARGET PORT GROUPS made it (SPC-5
 * §5.16.2.6, §6.49). Until configured, a target reports no ALUA (TPGS 00b) and its one group, every
 * port, is active/optimized.
 */
public final class Alua implements AutoCloseable {
    /** A state change, for the event log and metrics. */
    public record Change(int group, AccessState from, AccessState to, String cause) {}

    private final Supplier<List<UnitAttentions>> units;
    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
    private final Map<Integer, ScheduledFuture<?>> timed = new HashMap<>();
    private List<Integer> targetPorts = List.of();
    private TpgsMode mode = TpgsMode.NONE;
    private int implicitTransitionSeconds;

    /**
     * The groups, replaced whole under this object's lock and read without it: every command reads
     * its port's state here (copy on write; changes are rare).
     */
    private volatile Map<Integer, TargetPortGroup> groups = defaultGroups();

    /** Every group active (optimized or not): then no command needs its port's state. */
    private volatile boolean everyPortActive = true;

    /** Runs the timed transitions; made on the first one unless given. */
    private ScheduledExecutorService timer;

    /** {@code units}: the unit attention conditions of the target's logical units. */
    public Alua(Supplier<List<UnitAttentions>> units) {
        this(units, null);
    }

    /** With the scheduler that ends timed transitions (a test's, whose time it moves itself). */
    Alua(Supplier<List<UnitAttentions>> units, ScheduledExecutorService timer) {
        this.units = units;
        this.timer = timer;
    }

    private static Map<Integer, TargetPortGroup> defaultGroups() {
        Map<Integer, TargetPortGroup> m = new TreeMap<>();
        m.put(1, TargetPortGroup.of(1, List.of(), AccessState.ACTIVE_OPTIMIZED));
        return m;
    }

    /**
     * Sets the mode, the groups and the IMPLICIT TRANSITION TIME (seconds, 0 to 255) at once, after
     * checking them whole: unique group numbers, no port in two groups, at most one group without
     * ports. Pending timed transitions are cancelled. No unit attention: this is the target's
     * configuration, not a change of state.
     */
    public synchronized void configure(
            TpgsMode mode, List<TargetPortGroup> groups, int implicitTransitionSeconds) {
        if (implicitTransitionSeconds < 0 || implicitTransitionSeconds > 255) {
            throw new IllegalArgumentException(
                    "implicit transition time "
                            + implicitTransitionSeconds
                            + " s is not between 0 and 255");
        }
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("ALUA needs at least one target port group");
        }
        Map<Integer, TargetPortGroup> m = new TreeMap<>();
        Set<Integer> ports = new HashSet<>();
        int defaults = 0;
        for (TargetPortGroup g : groups) {
            if (m.put(g.id(), g) != null) {
                throw new IllegalArgumentException("target port group " + g.id() + " twice");
            }
            for (int p : g.ports()) {
                if (!ports.add(p)) {
                    throw new IllegalArgumentException(
                            "relative target port " + p + " is in two target port groups");
                }
            }
            if (g.ports().isEmpty() && ++defaults > 1) {
                throw new IllegalArgumentException(
                        "only one target port group may go without ports (the default group)");
            }
        }
        cancelTimed();
        this.mode = mode;
        publish(m);
        this.implicitTransitionSeconds = implicitTransitionSeconds;
    }

    public synchronized TpgsMode mode() {
        return mode;
    }

    public synchronized int implicitTransitionSeconds() {
        return implicitTransitionSeconds;
    }

    /** Every group, by number. */
    public synchronized List<TargetPortGroup> groups() {
        return List.copyOf(groups.values());
    }

    public synchronized TargetPortGroup group(int id) {
        TargetPortGroup g = groups.get(id);
        if (g == null) {
            throw new IllegalArgumentException(
                    "no target port group " + id + "; the groups are " + groups.keySet());
        }
        return g;
    }

    /**
     * The relative target port identifiers of the target's ports (for iSCSI, its portal group
     * tags), so the default group can list the ports no other group has.
     */
    public synchronized void setTargetPorts(List<Integer> ports) {
        this.targetPorts = List.copyOf(ports);
        publish(groups);
    }

    public synchronized boolean hasGroup(int id) {
        return groups.containsKey(id);
    }

    /**
     * The ports REPORT TARGET PORT GROUPS lists for a group: those it names, or for the default
     * group every known target port no other group names (at least the requester's own).
     */
    public synchronized List<Integer> portsOf(TargetPortGroup g, int requesterPort) {
        Set<Integer> known = new TreeSet<>(targetPorts);
        known.add(requesterPort);
        return portsOf(g, known);
    }

    /** The ports of a group among the target's known ports (see {@link #setTargetPorts}). */
    public synchronized List<Integer> portsOf(TargetPortGroup g) {
        return portsOf(g, new TreeSet<>(targetPorts));
    }

    private List<Integer> portsOf(TargetPortGroup g, Set<Integer> known) {
        if (!g.ports().isEmpty()) {
            return g.ports();
        }
        List<Integer> out = new ArrayList<>();
        for (int p : known) {
            if (groupOf(p) == g) {
                out.add(p);
            }
        }
        return out;
    }

    /** The group of the target port with this relative identifier, or null when none has it. */
    public TargetPortGroup groupOf(int relativeTargetPort) {
        TargetPortGroup fallback = null;
        for (TargetPortGroup g : groups.values()) {
            if (g.ports().contains(relativeTargetPort)) {
                return g;
            }
            if (g.ports().isEmpty()) {
                fallback = g;
            }
        }
        return fallback;
    }

    /**
     * Whether every group is active/optimized or active/non-optimized, so every command is admitted
     * whatever port it came through (read without a lock, on the command path).
     */
    public boolean everyPortActive() {
        return everyPortActive;
    }

    /** One group replaced; the caller holds the lock. */
    private void replace(TargetPortGroup g) {
        Map<Integer, TargetPortGroup> m = new TreeMap<>(groups);
        m.put(g.id(), g);
        publish(m);
    }

    /**
     * The new groups for the readers without the lock, and whether every port is active: every
     * group active, and every port in one (a default group, or all known target ports named), since
     * a port in no group is offline.
     */
    private void publish(Map<Integer, TargetPortGroup> m) {
        groups = m;
        boolean active =
                m.values().stream()
                        .allMatch(
                                g ->
                                        g.state() == AccessState.ACTIVE_OPTIMIZED
                                                || g.state() == AccessState.ACTIVE_NON_OPTIMIZED);
        Set<Integer> named = new HashSet<>();
        m.values().forEach(g -> named.addAll(g.ports()));
        boolean hasDefault = m.values().stream().anyMatch(g -> g.ports().isEmpty());
        boolean covered = hasDefault || (!targetPorts.isEmpty() && named.containsAll(targetPorts));
        everyPortActive = active && covered;
    }

    /** The access state of the logical units through the nexus's target port. */
    public AccessState stateFor(ItNexus nexus) {
        TargetPortGroup g = groupOf(nexus.relativeTargetPort());
        return g == null ? AccessState.OFFLINE : g.state();
    }

    public void onChange(Consumer<Change> listener) {
        listeners.add(listener);
    }

    /**
     * An implicit change, made by the target (the API, a fault rule): the group goes to {@code to}
     * at once, any timed transition of it is cancelled, and every I_T nexus is told.
     */
    public void setState(int group, AccessState to, String cause) {
        Change c;
        synchronized (this) {
            cancelTimed(group);
            c =
                    change(
                            group,
                            to,
                            TargetPortGroup.STATUS_IMPLICIT,
                            cause,
                            AdditionalSense.ASYMMETRIC_ACCESS_STATE_CHANGED,
                            null);
        }
        announce(c);
    }

    /** Sets the preferred bit (PREF) of a group: no state change, no unit attention. */
    public synchronized void setPreferred(int group, boolean preferred) {
        replace(group(group).withPreferred(preferred));
    }

    /**
     * A timed implicit transition: the group is transitioning now and reaches {@code to} after
     * {@code duration}; when {@code fails}, it goes back to the state it had instead, and the
     * nexuses are told IMPLICIT ASYMMETRIC ACCESS STATE TRANSITION FAILED (SPC-5 §5.16.2.5).
     */
    public void transition(int group, AccessState to, Duration duration, boolean fails) {
        if (to == AccessState.TRANSITIONING) {
            throw new IllegalArgumentException("a transition ends in a state other than itself");
        }
        AccessState before;
        Change c;
        synchronized (this) {
            cancelTimed(group);
            before = group(group).state();
            c =
                    change(
                            group,
                            AccessState.TRANSITIONING,
                            TargetPortGroup.STATUS_IMPLICIT,
                            "transitioning to " + to + " for " + duration.toMillis() + " ms",
                            AdditionalSense.ASYMMETRIC_ACCESS_STATE_CHANGED,
                            null);
            if (timer == null) {
                timer =
                        Executors.newSingleThreadScheduledExecutor(
                                r -> {
                                    Thread t = new Thread(r, "alua-transitions");
                                    t.setDaemon(true);
                                    return t;
                                });
            }
            timed.put(
                    group,
                    timer.schedule(
                            () -> endTransition(group, fails ? before : to, fails),
                            duration.toMillis(),
                            TimeUnit.MILLISECONDS));
        }
        announce(c);
    }

    private void endTransition(int group, AccessState to, boolean failed) {
        Change c;
        synchronized (this) {
            timed.remove(group);
            if (!groups.containsKey(group)
                    || groups.get(group).state() != AccessState.TRANSITIONING) {
                return;
            }
            c =
                    change(
                            group,
                            to,
                            TargetPortGroup.STATUS_IMPLICIT,
                            failed ? "transition failed, back to " + to : "transition done",
                            failed
                                    ? AdditionalSense
                                            .IMPLICIT_ASYMMETRIC_ACCESS_STATE_TRANSITION_FAILED
                                    : AdditionalSense.ASYMMETRIC_ACCESS_STATE_CHANGED,
                            null);
        }
        announce(c);
    }

    /**
     * SET TARGET PORT GROUPS, its parameter list already checked whole: each group to its state,
     * all at once; every nexus but the requester's is told.
     */
    public void setExplicitly(Map<Integer, AccessState> requested, ItNexus requester) {
        List<Change> changes = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<Integer, AccessState> r : requested.entrySet()) {
                cancelTimed(r.getKey());
                Change c =
                        change(
                                r.getKey(),
                                r.getValue(),
                                TargetPortGroup.STATUS_EXPLICIT,
                                "SET TARGET PORT GROUPS from " + requester.initiatorPort(),
                                AdditionalSense.ASYMMETRIC_ACCESS_STATE_CHANGED,
                                requester);
                if (c != null) {
                    changes.add(c);
                }
            }
        }
        changes.forEach(this::announce);
    }

    /**
     * Sets a group's state and status and, when the state changes, establishes {@code condition} on
     * every logical unit for every nexus but {@code except} in the same step, so no command sees
     * the new state without its unit attention. The change, or null when the state stays.
     */
    private Change change(
            int group,
            AccessState to,
            int status,
            String cause,
            AdditionalSense condition,
            ItNexus except) {
        TargetPortGroup g = group(group);
        replace(g.withState(to, status));
        if (g.state() == to) {
            return null;
        }
        for (UnitAttentions ua : units.get()) {
            ua.establishForAll(condition, except);
        }
        return new Change(group, g.state(), to, cause);
    }

    /** Tells the listeners (event log, metrics) of a change, outside the lock. */
    private void announce(Change c) {
        if (c != null) {
            listeners.forEach(l -> l.accept(c));
        }
    }

    private void cancelTimed(int group) {
        ScheduledFuture<?> f = timed.remove(group);
        if (f != null) {
            f.cancel(false);
        }
    }

    private void cancelTimed() {
        timed.values().forEach(f -> f.cancel(false));
        timed.clear();
    }

    @Override
    public synchronized void close() {
        cancelTimed();
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
