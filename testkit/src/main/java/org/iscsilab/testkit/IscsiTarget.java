package org.iscsilab.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.core.fault.FaultRule;
import org.iscsilab.core.fault.FaultRules;
import org.iscsilab.core.log.LogRing;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.LoginRefusedException;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.iscsi.node.TargetSession;
import org.iscsilab.server.EmbeddedTarget;
import org.iscsilab.server.admin.AdminApi;
import org.iscsilab.server.admin.AdminClient;
import org.iscsilab.server.admin.Endpoints;
import org.iscsilab.server.config.TargetConfig;

/**
 * An iSCSI target in the test's own JVM, started from a fluent description and closed with the
 * test. It is assembled as {@code iscsilab target} assembles one (through the server's one
 * composition root), on a free loopback port unless told otherwise.
 *
 * <pre>{@code
 * try (IscsiTarget target = IscsiTarget.builder().lun("ram:64M").start();
 *         BlockDevice disk = target.connect(0)) {
 *     disk.write(0, new byte[disk.blockSize()]);
 * }
 * }</pre>
 */
public final class IscsiTarget implements TargetControl, TestTarget {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE = Endpoints.BASE;

    private final EmbeddedTarget target;
    private final ChapCredentials chap;
    private final ChapCredentials mutualChap;

    private IscsiTarget(EmbeddedTarget target, ChapCredentials chap, ChapCredentials mutualChap) {
        this.target = target;
        this.chap = chap;
        this.mutualChap = mutualChap;
    }

    /**
     * Starts the description of a target: unless told otherwise, one LUN "ram:64M" named {@value
     * TargetConfig#DEFAULT_IQN} on a free loopback port, with no CHAP and no fault rules.
     *
     * @return a builder with those defaults, to narrow and then {@link Builder#start}
     */
    public static Builder builder() {
        return new Builder();
    }

    /** What the target will be: set what the test needs, then {@link #start}. */
    public static final class Builder {
        private String iqn = TargetConfig.DEFAULT_IQN;
        private String alias;
        private final List<String> luns = new ArrayList<>();
        private String portal = "127.0.0.1:0";
        private ChapCredentials chap;
        private ChapCredentials mutualChap;
        private final List<String> faults = new ArrayList<>();
        private final List<TargetConfig.Portal> groupPortals = new ArrayList<>();
        private String advertise;
        private String aluaMode;
        private Integer implicitTransitionSeconds;
        private final List<TargetConfig.PortGroup> targetPortGroups = new ArrayList<>();

        private Builder() {}

        /**
         * The target's name (default {@value TargetConfig#DEFAULT_IQN}).
         *
         * @param name the iSCSI qualified name initiators give as TargetName at login
         * @return this builder
         */
        public Builder iqn(String name) {
            this.iqn = name;
            return this;
        }

        /**
         * The TargetAlias sent at login.
         *
         * @param text the human-readable name the target reports beside its iSCSI name
         * @return this builder
         */
        public Builder alias(String text) {
            this.alias = text;
            return this;
        }

        /**
         * A LUN, numbered from 0 in the order given: "ram:64M", "file:disk.img:1G,block=4096".
         * Without any, the target has one LUN "ram:64M".
         *
         * @param spec the LUN's store, capacity and options, as {@code iscsilab target --lun} takes
         *     them
         * @return this builder
         */
        public Builder lun(String spec) {
            luns.add(spec);
            return this;
        }

        /**
         * Where to listen, HOST[:PORT] (default 127.0.0.1:0, a free port).
         *
         * @param hostPort the address the iSCSI portal binds to; port 0 lets the system choose, and
         *     {@link IscsiTarget#portal()} tells which it chose
         * @return this builder
         */
        public Builder portal(String hostPort) {
            this.portal = hostPort;
            return this;
        }

        /**
         * A portal of portal group {@code tag}, repeatable: each portal group is a target port of
         * its own (its tag is the relative target port identifier ALUA reports), logins through it
         * answer with its TargetPortalGroupTag, and SendTargets lists each portal with its tag (RFC
         * 7143 §4.4.1). Once one is given, the portal groups replace {@link #portal}.
         *
         * @param tag the portal group tag, 1 to 65535
         * @param hostPort the address the portal binds to; port 0 lets the system choose, and
         *     {@link IscsiTarget#portals()} tells which it chose
         * @return this builder
         */
        public Builder portalGroup(int tag, String hostPort) {
            groupPortals.add(new TargetConfig.Portal(hostPort, null, tag));
            return this;
        }

        /**
         * The host SendTargets reports for every portal, with the portal's bound port: for
         * initiators that reach the target through NAT, as a QEMU guest with user-mode networking
         * reaches the host's loopback as 10.0.2.2.
         *
         * @param host the address initiators are told to log in to
         * @return this builder
         */
        public Builder advertise(String host) {
            this.advertise = host;
            return this;
        }

        /**
         * Asymmetric logical unit access (SPC-5 §5.16): the TPGS bits INQUIRY reports and the
         * implicit transition time REPORT TARGET PORT GROUPS reports. Without target port groups
         * ({@link #targetPortGroup}) every port is in one active/optimized group.
         *
         * @param mode "implicit" (the target changes states), "explicit" (SET TARGET PORT GROUPS
         *     changes them), "both" or "none"
         * @param implicitTransitionSeconds the IMPLICIT TRANSITION TIME, in seconds
         * @return this builder
         */
        public Builder alua(String mode, int implicitTransitionSeconds) {
            this.aluaMode = mode;
            this.implicitTransitionSeconds = implicitTransitionSeconds;
            return this;
        }

        /**
         * A target port group and its access state, repeatable; ALUA is implicit unless {@link
         * #alua} says otherwise. Change the state later with {@link IscsiTarget#setAccessState}.
         *
         * @param id the target port group's identifier, 1 to 65535
         * @param state "active-optimized", "active-non-optimized", "standby", "unavailable",
         *     "offline" or "transitioning"
         * @param preferred the PREF bit: the group initiators should prefer
         * @param portalGroups the portal group tags whose ports are in this group; none: every port
         *     no other group names
         * @return this builder
         */
        public Builder targetPortGroup(
                int id, String state, boolean preferred, int... portalGroups) {
            List<Integer> ports = new ArrayList<>();
            for (int tag : portalGroups) {
                ports.add(tag);
            }
            targetPortGroups.add(
                    new TargetConfig.PortGroup(id, ports, state, preferred ? true : null));
            return this;
        }

        /**
         * Initiators must log in with CHAP as this user (a secret of at least 12 bytes).
         *
         * @param user the CHAP name (CHAP_N) initiators must authenticate as
         * @param secret the secret their CHAP_R response must be computed with, at least 12 bytes
         *     (RFC 7143 §12.1.3)
         * @return this builder
         */
        public Builder chap(String user, String secret) {
            this.chap = new ChapCredentials(user, secret);
            return this;
        }

        /**
         * With {@link #chap}: the target proves itself as this user (mutual CHAP).
         *
         * @param user the CHAP name the target answers the initiator's challenge with
         * @param secret the target's secret for that answer, at least 12 bytes
         * @return this builder
         */
        public Builder mutualChap(String user, String secret) {
            this.mutualChap = new ChapCredentials(user, secret);
            return this;
        }

        /**
         * A fault rule in force from the start, e.g. "medium-error,lun=0,lba=100-199".
         *
         * @param rule the rule in the language of {@code --fault} and the admin API; {@link
         *     Fault#spec()} writes one from a typed {@link Fault}
         * @return this builder
         */
        public Builder fault(String rule) {
            faults.add(rule);
            return this;
        }

        /**
         * Starts the target; an invalid description fails here, naming what is wrong.
         *
         * @return the running target, listening on its portal; close it when the test is done
         * @throws IOException if the portal cannot be bound or a LUN's backing file cannot be
         *     opened
         * @throws InterruptedException if the thread is interrupted while the target starts
         */
        public IscsiTarget start() throws IOException, InterruptedException {
            if (mutualChap != null && chap == null) {
                throw new IllegalArgumentException("mutual CHAP needs chap(user, secret) as well");
            }
            List<String> specs = luns.isEmpty() ? List.of("ram:64M") : List.copyOf(luns);
            List<TargetConfig.Portal> portals = new ArrayList<>();
            String advertised = advertise == null ? null : advertise + ":0";
            if (groupPortals.isEmpty()) {
                portals.add(new TargetConfig.Portal(portal, advertised));
            }
            for (TargetConfig.Portal p : groupPortals) {
                portals.add(new TargetConfig.Portal(p.listen(), advertised, p.group()));
            }
            TargetConfig.Alua alua =
                    aluaMode == null && targetPortGroups.isEmpty()
                            ? null
                            : new TargetConfig.Alua(
                                    aluaMode == null ? "implicit" : aluaMode,
                                    implicitTransitionSeconds,
                                    targetPortGroups.isEmpty()
                                            ? null
                                            : List.copyOf(targetPortGroups));
            TargetConfig config =
                    new TargetConfig(
                            List.copyOf(portals),
                            "off",
                            0,
                            null,
                            null,
                            null,
                            null,
                            null,
                            List.copyOf(faults),
                            List.of(
                                    new TargetConfig.Node(
                                            iqn,
                                            alias,
                                            specs,
                                            credentials(chap),
                                            credentials(mutualChap),
                                            null,
                                            null,
                                            null,
                                            null,
                                            alua)));
            return new IscsiTarget(EmbeddedTarget.start(config), chap, mutualChap);
        }

        private static TargetConfig.Credentials credentials(ChapCredentials c) {
            return c == null ? null : new TargetConfig.Credentials(c.user(), c.secret());
        }
    }

    /**
     * Opens LUN {@code lun} as a disk, logging in with the target's CHAP when it has one.
     *
     * @param lun the LUN to open, one of {@link #luns()}
     * @return the LUN as a disk over a session of its own, the unit attentions of the new I_T nexus
     *     taken and the capacity read; close it to log out
     * @throws IllegalArgumentException if the target has no such LUN
     */
    public BlockDevice connect(int lun) {
        return connect(lun, portal());
    }

    /**
     * Opens LUN {@code lun} as a disk, logging in with these CHAP credentials instead of the
     * target's: for tests of authentication itself.
     *
     * @param lun the LUN to open, one of {@link #luns()}
     * @param chapUser the CHAP name the initiator answers with (CHAP_N)
     * @param chapSecret the secret the initiator's CHAP response is computed with
     * @return the LUN as a disk over a session of its own; close it to log out
     * @throws LoginRefusedException if the target refuses the login, e.g. status 02/01
     *     (authentication failure) for a wrong secret
     * @throws IllegalArgumentException if the target has no such LUN
     */
    public BlockDevice connect(int lun, String chapUser, String chapSecret) {
        requireLun(lun);
        return BlockDevice.connect(
                portal(),
                InitiatorConfig.normal(iqn())
                        .withChap(new ChapCredentials(chapUser, chapSecret), null),
                lun);
    }

    private void requireLun(int lun) {
        if (target.device().logicalUnit(lun) == null) {
            throw new IllegalArgumentException(
                    "this target has no LUN " + lun + "; it has " + luns());
        }
    }

    /**
     * The address the target listens on (the port chosen when none was given).
     *
     * @return the iSCSI portal's bound host and TCP port, for {@link BlockDevice#connect} or an
     *     initiator's SendTargets discovery
     */
    public InetSocketAddress portal() {
        return target.address();
    }

    /**
     * Every portal the target listens on, in the order the builder gave them (the portal groups'
     * portals in order, or the one portal).
     *
     * @return the bound addresses, the ports chosen where none were given
     */
    public List<InetSocketAddress> portals() {
        return target.runtime().bound();
    }

    /**
     * Opens LUN {@code lun} as a disk through one portal: through each portal group it is another
     * I_T nexus with its own access state, as a multipath host sees it.
     *
     * @param lun the LUN to open, one of {@link #luns()}
     * @param portal one of {@link #portals()}
     * @return the LUN as a disk over a session of its own through that portal; close it to log out
     * @throws IllegalArgumentException if the target has no such LUN or no such portal
     */
    public BlockDevice connect(int lun, InetSocketAddress portal) {
        requireLun(lun);
        if (!portals().contains(portal)) {
            throw new IllegalArgumentException(
                    "this target has no portal " + portal + "; it has " + portals());
        }
        InitiatorConfig login = InitiatorConfig.normal(iqn());
        if (chap != null) {
            login = login.withChap(chap, mutualChap);
        }
        return BlockDevice.connect(portal, login, lun);
    }

    /**
     * The target's iSCSI name, as initiators give it at login.
     *
     * @return the iSCSI qualified name, {@value TargetConfig#DEFAULT_IQN} unless {@link
     *     Builder#iqn} set another
     */
    public String iqn() {
        return target.iqn();
    }

    /**
     * The libiscsi and QEMU URL of a LUN: iscsi://HOST:PORT/IQN/LUN.
     *
     * @param lun the LUN the URL addresses
     * @return the URL with the portal's bound port, e.g. {@code
     *     iscsi://127.0.0.1:PORT/iqn.2026-01.org.iscsilab:target0/0} for LUN 0 under the default
     *     name
     */
    public String url(int lun) {
        return target.libiscsiUrl(lun);
    }

    @Override
    public List<Integer> luns() {
        List<Integer> out = new ArrayList<>();
        target.device().logicalUnits().forEach(lu -> out.add(lu.lun()));
        return out;
    }

    @Override
    public List<Session> sessions() {
        List<Session> out = new ArrayList<>();
        for (TargetSession s : target.sessions()) {
            out.add(
                    new Session(
                            s.tsih(),
                            s.initiatorName(),
                            String.format("%012x", s.isid()),
                            s.targetName(),
                            s.portal(),
                            s.discovery()));
        }
        return out;
    }

    /**
     * Fault rules, added and removed while initiators are attached.
     *
     * @return the target's live rule set, taking rules in the {@code --fault} language; {@link
     *     #add(Fault)} is the typed way in
     */
    public FaultRules faults() {
        return target.faults();
    }

    @Override
    public EventQuery<TargetEvent> events() {
        EventLog log = target.events();
        return EventQuery.over(log::events);
    }

    @Override
    public FaultHandle add(Fault fault) {
        FaultRules rules = target.faults();
        FaultRule rule = rules.add(fault.spec());
        return new FaultHandle(
                rule.id(), rule::matched, rule::fired, () -> rules.remove(rule.id()));
    }

    @Override
    public void clearFaults() {
        target.faults().clear();
    }

    @Override
    public int addLun(String spec) {
        return result(api().handle("POST", BASE + "luns", Map.of(), body("spec", spec)))
                .path("lun")
                .asInt();
    }

    @Override
    public void removeLun(int lun) {
        result(api().handle("DELETE", BASE + "luns/" + lun, Map.of(), null));
    }

    @Override
    public void resizeLun(int lun, long bytes) {
        patch(lun, "size", bytes);
    }

    @Override
    public void setReadOnly(int lun, boolean readOnly) {
        patch(lun, "readOnly", readOnly);
    }

    @Override
    public void setMediumLoaded(int lun, boolean loaded) {
        patch(lun, "medium", loaded ? "load" : "eject");
    }

    @Override
    public void setAccessState(int group, String state) {
        patchAccessState(group, AdminClient.accessStateBody(state, null, false));
    }

    @Override
    public void transitionAccessState(int group, String state, Duration transition, boolean fails) {
        patchAccessState(group, AdminClient.accessStateBody(state, transition, fails));
    }

    private void patchAccessState(int group, String body) {
        result(api().handle("PATCH", BASE + "alua/groups/" + group, Map.of(), body));
    }

    private void patch(int lun, String field, Object value) {
        result(api().handle("PATCH", BASE + "luns/" + lun, Map.of(), body(field, value)));
    }

    /** LUN changes go through the admin API's checks, without HTTP, as they would over it. */
    private AdminApi api() {
        return target.adminApi();
    }

    private static String body(String field, Object value) {
        return AdminClient.jsonField(field, value);
    }

    private static JsonNode result(AdminApi.Response r) {
        try {
            JsonNode n = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
            if (r.status() >= 400) {
                throw new IllegalArgumentException(n.path("error").asText("HTTP " + r.status()));
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "the admin API answered what is not JSON: " + r.body(), e);
        }
    }

    @Override
    public void reset(int lun) {
        result(api().handle("POST", BASE + "luns/" + lun + "/reset", Map.of(), null));
    }

    @Override
    public void resetAll() {
        for (JsonNode lun : result(api().handle("GET", BASE + "luns", Map.of(), null))) {
            if (lun.path("resettable").asBoolean()) {
                reset(lun.path("lun").asInt());
            }
        }
    }

    @Override
    public DiskSnapshot snapshot(int lun) {
        JsonNode s =
                result(api().handle("POST", BASE + "luns/" + lun + "/snapshots", Map.of(), null));
        return new DiskSnapshot(s.path("id").asInt(), s.path("lun").asInt());
    }

    @Override
    public void restore(DiskSnapshot snapshot) {
        result(
                api().handle(
                                "POST",
                                BASE + "snapshots/" + snapshot.id() + "/restore",
                                Map.of(),
                                null));
    }

    @Override
    public void drop(DiskSnapshot snapshot) {
        result(api().handle("DELETE", BASE + "snapshots/" + snapshot.id(), Map.of(), null));
    }

    /**
     * The embedded target underneath, for what this class does not offer yet.
     *
     * @return the target this object runs, e.g. for {@link EmbeddedTarget#startAdmin()} to reach it
     *     over the admin API; it closes with this object
     */
    public EmbeddedTarget embedded() {
        return target;
    }

    @Override
    public TargetControl control() {
        return this;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The lines of every target in this JVM, each with the connection and session it concerns.
     */
    @Override
    public long logMark() {
        return LogRing.instance().mark();
    }

    @Override
    public List<String> logSince(long mark) {
        return LogRing.instance().since(mark);
    }

    @Override
    public void close() {
        target.close();
    }
}
