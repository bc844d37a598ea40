package org.iscsilab.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.core.fault.FaultRule;
import org.iscsilab.core.fault.FaultRules;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.LogicalUnit.MediumImage;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
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
public final class IscsiTarget implements TargetControl, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE = Endpoints.BASE;

    private final EmbeddedTarget target;
    private final ChapCredentials chap;
    private final ChapCredentials mutualChap;

    /** The content each LUN started with, for {@link #reset}; only LUNs whose store can copy. */
    private final Map<Integer, MediumImage> initial = new HashMap<>();

    private IscsiTarget(EmbeddedTarget target, ChapCredentials chap, ChapCredentials mutualChap) {
        this.target = target;
        this.chap = chap;
        this.mutualChap = mutualChap;
        for (LogicalUnit lu : target.device().logicalUnits()) {
            if (lu.store().snapshots().isPresent()) {
                initial.put(lu.lun(), lu.snapshotMedium());
            }
        }
    }

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

        private Builder() {}

        /** The target's name (default {@value TargetConfig#DEFAULT_IQN}). */
        public Builder iqn(String name) {
            this.iqn = name;
            return this;
        }

        /** The TargetAlias sent at login. */
        public Builder alias(String text) {
            this.alias = text;
            return this;
        }

        /** A LUN, numbered from 0 in the order given: "ram:64M", "file:disk.img:1G,block=4096". */
        public Builder lun(String spec) {
            luns.add(spec);
            return this;
        }

        /** Where to listen, HOST[:PORT] (default 127.0.0.1:0, a free port). */
        public Builder portal(String hostPort) {
            this.portal = hostPort;
            return this;
        }

        /** Initiators must log in with CHAP as this user (a secret of at least 12 bytes). */
        public Builder chap(String user, String secret) {
            this.chap = new ChapCredentials(user, secret);
            return this;
        }

        /** With {@link #chap}: the target proves itself as this user (mutual CHAP). */
        public Builder mutualChap(String user, String secret) {
            this.mutualChap = new ChapCredentials(user, secret);
            return this;
        }

        /** A fault rule in force from the start, e.g. "medium-error,lun=0,lba=100-199". */
        public Builder fault(String rule) {
            faults.add(rule);
            return this;
        }

        /** Starts the target; an invalid description fails here, naming what is wrong. */
        public IscsiTarget start() throws IOException, InterruptedException {
            if (mutualChap != null && chap == null) {
                throw new IllegalArgumentException("mutual CHAP needs chap(user, secret) as well");
            }
            List<String> specs = luns.isEmpty() ? List.of("ram:64M") : List.copyOf(luns);
            TargetConfig config =
                    new TargetConfig(
                            List.of(new TargetConfig.Portal(portal, null)),
                            "off",
                            0,
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
                                            null)));
            return new IscsiTarget(EmbeddedTarget.start(config), chap, mutualChap);
        }

        private static TargetConfig.Credentials credentials(ChapCredentials c) {
            return c == null ? null : new TargetConfig.Credentials(c.user(), c.secret());
        }
    }

    /** Opens LUN {@code lun} as a disk, logging in with the target's CHAP when it has one. */
    public BlockDevice connect(int lun) {
        if (target.device().logicalUnit(lun) == null) {
            throw new IllegalArgumentException(
                    "this target has no LUN " + lun + "; it has " + luns());
        }
        InitiatorConfig login = InitiatorConfig.normal(iqn());
        if (chap != null) {
            login = login.withChap(chap, mutualChap);
        }
        return BlockDevice.connect(portal(), login, lun);
    }

    /** The address the target listens on (the port chosen when none was given). */
    public InetSocketAddress portal() {
        return target.address();
    }

    public String iqn() {
        return target.iqn();
    }

    /** The libiscsi and QEMU URL of a LUN: iscsi://HOST:PORT/IQN/LUN. */
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

    /** Fault rules, added and removed while initiators are attached. */
    public FaultRules faults() {
        return target.faults();
    }

    @Override
    public EventQuery events() {
        EventLog log = target.events();
        return new EventQuery(log::events);
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
        return lunResult(control().handle("POST", BASE + "luns", Map.of(), body("spec", spec)))
                .path("lun")
                .asInt();
    }

    @Override
    public void removeLun(int lun) {
        lunResult(control().handle("DELETE", BASE + "luns/" + lun, Map.of(), null));
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

    private void patch(int lun, String field, Object value) {
        lunResult(control().handle("PATCH", BASE + "luns/" + lun, Map.of(), body(field, value)));
    }

    /** LUN changes go through the admin API's checks, without HTTP, as they would over it. */
    private AdminApi control() {
        return target.adminApi();
    }

    private static String body(String field, Object value) {
        return AdminClient.jsonField(field, value);
    }

    private static JsonNode lunResult(AdminApi.Response r) {
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

    /**
     * Returns a LUN to the content it started with and its first capacity, so the next test starts
     * from a known disk: a RAM LUN reads as zeros again, a file under an overlay ({@code
     * file:PATH,overlay}) as the file, whose scratch layer is dropped. A plain file LUN cannot be
     * reset: its writes are in the file.
     */
    public void reset(int lun) {
        MediumImage image = initial.get(lun);
        if (image == null) {
            throw new IllegalStateException(
                    "LUN "
                            + lun
                            + " cannot be reset: only RAM LUNs and files under an overlay"
                            + " (file:PATH,overlay) the target started with can (it has "
                            + initial.keySet()
                            + ")");
        }
        unit(lun).restoreMedium(image);
    }

    /** Returns every LUN that can be reset to the content it started with. */
    public void resetAll() {
        initial.keySet().forEach(this::reset);
    }

    /** A copy of a LUN's content now (RAM and overlay LUNs), to {@link #restore} later. */
    public DiskSnapshot snapshot(int lun) {
        return new DiskSnapshot(lun, unit(lun).snapshotMedium());
    }

    /** Puts a LUN's content back as a snapshot of it found it. */
    public void restore(DiskSnapshot snapshot) {
        unit(snapshot.lun()).restoreMedium(snapshot.image());
    }

    /** A copy of one LUN's content, taken by {@link #snapshot}. */
    public record DiskSnapshot(int lun, MediumImage image) {}

    private LogicalUnit unit(int lun) {
        LogicalUnit lu = target.device().logicalUnit(lun);
        if (lu == null) {
            throw new IllegalArgumentException(
                    "this target has no LUN " + lun + "; it has " + luns());
        }
        return lu;
    }

    /** The embedded target underneath, for what this class does not offer yet. */
    public EmbeddedTarget embedded() {
        return target;
    }

    @Override
    public void close() {
        target.close();
    }
}
