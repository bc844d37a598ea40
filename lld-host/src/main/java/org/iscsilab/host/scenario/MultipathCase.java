package org.iscsilab.host.scenario;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.iscsilab.core.fault.FaultScope;

/**
 * The failover cases a host with dm-multipath runs against a target reached through two portal
 * groups ({@link ScenarioTarget#twoPortalGroups}: group 1 active/optimized, group 2
 * active/non-optimized), while a writer keeps writing stamped blocks through the multipath device.
 * Each case breaks the paths on the target's side and then restores them; the Java host and the
 * Linux guest run the same cases against the same target so their outcomes can be compared.
 */
public enum MultipathCase {
    M1(
            "M1-group-unavailable",
            "the active path's target port group goes unavailable: I/O moves to the other path and"
                    + " continues; the group comes back and I/O fails back"),
    M2(
            "M2-portal-frozen",
            "the active path's portal freezes: the path fails, I/O continues on the other one;"
                    + " after the thaw the path returns"),
    M3(
            "M3-transition-then-standby",
            "the active path's group is transitioning for 5 s, then standby: no I/O error reaches"
                    + " the writer"),
    M4(
            "M4-all-paths-down-queued",
            "both portals freeze: with queue_if_no_path the writes wait, and complete once a path"
                    + " returns");

    /** How long M3's group stays in the transitioning state. */
    public static final Duration TRANSITION = Duration.ofSeconds(5);

    private final String id;
    private final String description;

    MultipathCase(String id, String description) {
        this.id = id;
        this.description = description;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** Whether the case leaves no usable path while it lasts (the writes must wait, not fail). */
    public boolean noPathLeft() {
        return this == M4;
    }

    /**
     * Breaks the paths on the target's side; returns the fault rules it added, for {@link
     * #restore}. The freezes are scoped to {@code initiator}, so other initiators of a shared
     * target are not touched.
     */
    public List<Integer> breakPaths(ScenarioTarget target, String initiator) throws Exception {
        List<Integer> rules = new ArrayList<>();
        switch (this) {
            case M1 -> target.setAccessState(1, "unavailable", null);
            case M2 ->
                    rules.add(
                            target.addFault(
                                    TransportFailure.freezeRule(initiator)
                                            + ",portal="
                                            + FaultScope.portalName(firstPortal(target))));
            case M3 -> target.setAccessState(1, "standby", TRANSITION);
            case M4 -> rules.add(target.addFault(TransportFailure.freezeRule(initiator)));
        }
        return rules;
    }

    /**
     * Lifts the case's fault rules and puts both target port groups back in their first states (the
     * host's ALUA handler may have moved group 2 to active/optimized with SET TARGET PORT GROUPS
     * meanwhile, as Linux's does).
     */
    public void restore(ScenarioTarget target, List<Integer> rules) throws Exception {
        for (int id : rules) {
            target.removeFault(id);
        }
        target.setAccessState(1, "active-optimized", null);
        target.setAccessState(2, "active-non-optimized", null);
    }

    private static InetSocketAddress firstPortal(ScenarioTarget target) {
        List<InetSocketAddress> portals = target.portals();
        if (portals.size() < 2) {
            throw new IllegalStateException(
                    "the multipath cases need a target reached through two portal groups; "
                            + target.iqn()
                            + " has "
                            + portals.size()
                            + " portal");
        }
        return portals.get(0);
    }

    /** M1 or M1-group-unavailable, in any case. */
    public static MultipathCase parse(String text) {
        return ScenarioNames.parse(values(), MultipathCase::id, text, "multipath case", "");
    }
}
