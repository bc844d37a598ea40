package org.iscsilab.server.config;

import com.fasterxml.jackson.annotation.JsonAlias;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iscsilab.core.LunSpec;
import org.iscsilab.iscsi.node.NetworkIo;
import org.iscsilab.iscsi.node.SessionOffer;
import org.iscsilab.iscsi.node.TargetLimits;
import org.iscsilab.iscsi.node.TargetSettings;

/**
 * What {@code iscsilab target} runs: portals, the admin API, targets with their LUNs, CHAP, access
 * lists and LUN masks, and fault rules in force from the start. Read from a YAML file ({@link
 * ConfigFile}) and from command-line flags, which override the file. Absent parts are null until
 * {@link #withDefaults()} fills them.
 */
public record TargetConfig(
        List<Portal> portals,
        String admin,
        Integer nopInterval,
        Limits limits,
        Session session,
        Io io,
        Credentials discoveryChap,
        Credentials discoveryMutualChap,
        List<String> faults,
        List<Node> targets) {
    public static final String DEFAULT_IQN = "iqn.2026-01.org.iscsilab:target0";
    public static final String DEFAULT_PORTAL = "127.0.0.1:3260";
    public static final String DEFAULT_ADMIN = "127.0.0.1:9260";

    /**
     * A listening address, the TargetAddress SendTargets reports for it (null: the bound one), the
     * tag of its portal group (null: 1), which is its target port (RFC 7143 §4.4.1), and where its
     * normal logins are redirected to (null: nowhere).
     */
    public record Portal(String listen, String advertise, Integer group, Redirect redirect) {
        /** A portal of portal group 1. */
        public Portal(String listen, String advertise) {
            this(listen, advertise, null, null);
        }

        /** A portal of a portal group. */
        public Portal(String listen, String advertise, Integer group) {
            this(listen, advertise, group, null);
        }

        /** The portal group tag, 1 when none is given. */
        public int groupTag() {
            return group == null ? 1 : group;
        }
    }

    /**
     * Login redirection (RFC 7143 §11.13.5): normal logins at a portal are answered "target moved
     * temporarily" (or permanently) with {@code to} ("host:port") and the portal group tag {@code
     * tpgt} as the TargetAddress.
     */
    public record Redirect(String to, Integer tpgt, Boolean permanent) {
        /** The redirect fault rule for logins arriving at {@code portal} ("host:port"). */
        public String rule(String portal) {
            return "redirect,to="
                    + to
                    + (tpgt == null ? "" : ",tpgt=" + tpgt)
                    + (Boolean.TRUE.equals(permanent) ? ",permanent" : "")
                    + ",portal="
                    + portal;
        }
    }

    /** One target (an iSCSI node) and its LUNs, numbered from 0 in order. */
    public record Node(
            String iqn,
            String alias,
            List<String> luns,
            Credentials chap,
            Credentials mutualChap,
            Credentials srp,
            List<String> allowInitiators,
            List<String> allowNetworks,
            Map<String, List<Integer>> lunMasks,
            Alua alua) {
        /** A node without ALUA (TPGS 00b). */
        public Node(
                String iqn,
                String alias,
                List<String> luns,
                Credentials chap,
                Credentials mutualChap,
                Credentials srp,
                List<String> allowInitiators,
                List<String> allowNetworks,
                Map<String, List<Integer>> lunMasks) {
            this(
                    iqn,
                    alias,
                    luns,
                    chap,
                    mutualChap,
                    srp,
                    allowInitiators,
                    allowNetworks,
                    lunMasks,
                    null);
        }

        Node withDefaults() {
            return new Node(
                    iqn == null ? DEFAULT_IQN : iqn,
                    alias == null ? "iscsilab" : alias,
                    luns == null || luns.isEmpty() ? List.of(LunSpec.DEFAULT) : luns,
                    chap,
                    mutualChap,
                    srp,
                    allowInitiators == null ? List.of() : allowInitiators,
                    allowNetworks == null ? List.of() : allowNetworks,
                    lunMasks == null ? Map.of() : lunMasks,
                    alua);
        }

        /** The fields {@code override} sets replace this node's. */
        Node overriddenBy(Node override) {
            return new Node(
                    pick(override.iqn, iqn),
                    pick(override.alias, alias),
                    pick(override.luns, luns),
                    pick(override.chap, chap),
                    pick(override.mutualChap, mutualChap),
                    pick(override.srp, srp),
                    pick(override.allowInitiators, allowInitiators),
                    pick(override.allowNetworks, allowNetworks),
                    pick(override.lunMasks, lunMasks),
                    pick(override.alua, alua));
        }
    }

    /**
     * A target's ALUA (SPC-5 §5.16): {@code mode} none, implicit, explicit or both (the TPGS
     * field); the implicit transition time REPORT TARGET PORT GROUPS reports, in seconds; its
     * target port groups.
     */
    public record Alua(String mode, Integer implicitTransitionTime, List<PortGroup> groups) {}

    /**
     * A target port group: its number, the portal group tags of its target ports (none: every port
     * no other group names), its access state (active-optimized if none) and its PREF bit.
     */
    public record PortGroup(Integer id, List<Integer> portals, String state, Boolean preferred) {}

    /**
     * The target's limits ({@link TargetLimits}); timeouts in seconds, idleTimeout 0 for none.
     * maxTcpConnections was called maxConnections, a name that read as the iSCSI key of that name
     * (connections per session); the old name is still read.
     */
    public record Limits(
            Integer maxSessions,
            @JsonAlias("maxConnections") Integer maxTcpConnections,
            Integer loginTimeout,
            Integer idleTimeout) {
        Limits overriddenBy(Limits o) {
            return o == null
                    ? this
                    : new Limits(
                            pick(o.maxSessions, maxSessions),
                            pick(o.maxTcpConnections, maxTcpConnections),
                            pick(o.loginTimeout, loginTimeout),
                            pick(o.idleTimeout, idleTimeout));
        }

        /** The server's limits: absent fields take {@link TargetLimits#defaults()}. */
        public TargetLimits toLimits() {
            TargetLimits d = TargetLimits.defaults();
            return new TargetLimits(
                    pick(maxSessions, d.maxSessions()),
                    pick(maxTcpConnections, d.maxTcpConnections()),
                    loginTimeout == null ? d.loginTimeout() : Duration.ofSeconds(loginTimeout),
                    idleTimeout == null ? d.idleTimeout() : Duration.ofSeconds(idleTimeout));
        }
    }

    /**
     * What the target accepts of the session-wide keys an initiator proposes ({@link SessionOffer},
     * RFC 7143 §13): maxConnections caps the iSCSI key MaxConnections (connections per session),
     * errorRecoveryLevel caps ErrorRecoveryLevel, and defaultTime2Wait and defaultTime2Retain
     * (seconds) are what the target offers for connection recovery.
     */
    public record Session(
            Integer maxConnections,
            Integer errorRecoveryLevel,
            Integer defaultTime2Wait,
            Integer defaultTime2Retain) {
        Session overriddenBy(Session o) {
            return o == null
                    ? this
                    : new Session(
                            pick(o.maxConnections, maxConnections),
                            pick(o.errorRecoveryLevel, errorRecoveryLevel),
                            pick(o.defaultTime2Wait, defaultTime2Wait),
                            pick(o.defaultTime2Retain, defaultTime2Retain));
        }

        /** The offer: absent fields take {@link SessionOffer#DEFAULT}'s. */
        public SessionOffer toOffer() {
            SessionOffer d = SessionOffer.DEFAULT;
            return new SessionOffer(
                    pick(maxConnections, d.maxConnections()),
                    pick(errorRecoveryLevel, d.errorRecoveryLevel()),
                    pick(defaultTime2Wait, d.defaultTime2Wait()),
                    pick(defaultTime2Retain, d.defaultTime2Retain()));
        }

        /** {@code settings} with what this section gives. */
        public TargetSettings applyTo(TargetSettings settings) {
            return settings.withSessionOffer(toOffer());
        }
    }

    /**
     * How the event loops wait for the network ({@link NetworkIo}): transport is auto, epoll,
     * io_uring or nio; poll makes the loops spin instead of sleeping (a core each); eventLoops is
     * how many loops serve connections (0 or absent: 2 per core, 1 when polling).
     */
    public record Io(String transport, Boolean poll, Integer eventLoops) {
        Io overriddenBy(Io o) {
            return o == null
                    ? this
                    : new Io(
                            pick(o.transport, transport),
                            pick(o.poll, poll),
                            pick(o.eventLoops, eventLoops));
        }

        /** The choice: absent fields take {@link NetworkIo#DEFAULT}'s. */
        public NetworkIo toNetworkIo() {
            NetworkIo d = NetworkIo.DEFAULT;
            return new NetworkIo(
                    transport == null ? d.transport() : NetworkIo.Transport.parse(transport),
                    pick(poll, d.poll()),
                    pick(eventLoops, d.eventLoops()));
        }

        /** {@code settings} with what this section gives. */
        public TargetSettings applyTo(TargetSettings settings) {
            return settings.withNetworkIo(toNetworkIo());
        }
    }

    /** A CHAP name and secret. */
    public record Credentials(String user, String secret) {}

    public static TargetConfig empty() {
        return new TargetConfig(null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * This configuration with {@code flags} on top: top-level settings the flags give replace the
     * file's, fault rules add to them, and the per-target flags apply to the first target.
     */
    public TargetConfig overriddenBy(TargetConfig flags) {
        List<String> allFaults = new ArrayList<>(faults == null ? List.of() : faults);
        if (flags.faults != null) {
            allFaults.addAll(flags.faults);
        }
        List<Node> nodes = new ArrayList<>(targets == null ? List.of() : targets);
        if (flags.targets != null && !flags.targets.isEmpty()) {
            Node flagged = flags.targets.get(0);
            if (nodes.isEmpty()) {
                nodes.add(flagged);
            } else {
                nodes.set(0, nodes.get(0).overriddenBy(flagged));
            }
        }
        return new TargetConfig(
                pick(flags.portals, portals),
                pick(flags.admin, admin),
                pick(flags.nopInterval, nopInterval),
                limits == null ? flags.limits : limits.overriddenBy(flags.limits),
                session == null ? flags.session : session.overriddenBy(flags.session),
                io == null ? flags.io : io.overriddenBy(flags.io),
                pick(flags.discoveryChap, discoveryChap),
                pick(flags.discoveryMutualChap, discoveryMutualChap),
                allFaults,
                nodes);
    }

    /** Every absent part filled with the defaults of {@code iscsilab target}. */
    public TargetConfig withDefaults() {
        List<Node> nodes =
                targets == null || targets.isEmpty()
                        ? List.of(new Node(null, null, null, null, null, null, null, null, null))
                        : targets;
        return new TargetConfig(
                portals == null || portals.isEmpty()
                        ? List.of(new Portal(DEFAULT_PORTAL, null))
                        : portals,
                admin == null ? DEFAULT_ADMIN : admin,
                nopInterval == null ? 10 : nopInterval,
                limits == null ? new Limits(null, null, null, null) : limits,
                session == null ? new Session(null, null, null, null) : session,
                io == null ? new Io(null, null, null) : io,
                discoveryChap,
                discoveryMutualChap,
                faults == null ? List.of() : faults,
                nodes.stream().map(Node::withDefaults).toList());
    }

    private static <T> T pick(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }
}
