package org.iscsilab.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.core.fault.FaultRules;
import org.iscsilab.iscsi.initiator.IscsiUrl;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.iscsi.node.IscsiTarget;
import org.iscsilab.iscsi.node.IscsiTargetServer;
import org.iscsilab.iscsi.node.TargetSession;
import org.iscsilab.iscsi.node.TargetSettings;
import org.iscsilab.server.admin.AdminApi;
import org.iscsilab.server.config.TargetConfig;

/**
 * A target running inside the caller's JVM, for tests: one iSCSI target on a loopback port chosen
 * by the system, with LUNs given in the command line's spec syntax, started through the same {@link
 * TargetRuntime} as {@code iscsilab target}.
 *
 * <pre>
 * try (EmbeddedTarget t = EmbeddedTarget.start("ram:64M", "ram:64M,block=4096")) {
 *     String url = t.libiscsiUrl(0);
 * }
 * </pre>
 */
public final class EmbeddedTarget implements AutoCloseable {
    public static final String IQN = "iqn.2026-01.org.iscsilab:embedded";

    /** Tests close targets often: initiators get this long to log out. */
    private static final Duration LOGOUT_GRACE = Duration.ofMillis(500);

    private final TargetRuntime runtime;
    private final InetSocketAddress address;
    private final String iqn;

    private EmbeddedTarget(TargetRuntime runtime, String iqn) {
        this.runtime = runtime;
        this.address = runtime.bound().get(0);
        this.iqn = iqn;
    }

    /**
     * The target a configuration describes (as {@code iscsilab target --config} would start it,
     * defaults applied), in this JVM; its first portal and first target are this object's.
     */
    public static EmbeddedTarget start(TargetConfig config)
            throws IOException, InterruptedException {
        TargetConfig cfg = config.withDefaults();
        return new EmbeddedTarget(
                TargetRuntime.start(cfg, TargetRuntime.settingsOf(cfg), LOGOUT_GRACE),
                cfg.targets().get(0).iqn());
    }

    public static EmbeddedTarget start(String... lunSpecs)
            throws IOException, InterruptedException {
        return start(TargetSettings.defaults(), lunSpecs);
    }

    public static EmbeddedTarget start(TargetSettings settings, String... lunSpecs)
            throws IOException, InterruptedException {
        return startAdvertising(settings, null, lunSpecs);
    }

    /**
     * A target whose SendTargets answers advertise {@code advertisedHost} with the bound port, for
     * initiators that reach the loopback portal through NAT (a QEMU guest sees it as 10.0.2.2).
     */
    public static EmbeddedTarget startAdvertising(
            TargetSettings settings, String advertisedHost, String... lunSpecs)
            throws IOException, InterruptedException {
        return new EmbeddedTarget(
                TargetRuntime.start(config(advertisedHost, lunSpecs), settings, LOGOUT_GRACE), IQN);
    }

    /**
     * The configuration an embedded target runs: loopback, a system-chosen port, no admin API until
     * asked.
     */
    static TargetConfig config(String advertisedHost, String... lunSpecs) {
        TargetConfig.Portal portal =
                new TargetConfig.Portal(
                        "127.0.0.1:0", advertisedHost == null ? null : advertisedHost + ":0");
        TargetConfig.Node node =
                new TargetConfig.Node(
                        IQN, "embedded", List.of(lunSpecs), null, null, null, null, null, null);
        return new TargetConfig(
                        List.of(portal),
                        "off",
                        0,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        List.of(node))
                .withDefaults();
    }

    /**
     * The smallest ALUA setup: portal groups 1 and 2 on loopback (system-chosen ports), each a
     * target port group of its own, 1 active/optimized and preferred, 2 active/non-optimized;
     * implicit and explicit ALUA with a 5 s implicit transition time. SendTargets advertises {@code
     * advertisedHost} with each bound port (null: the bound addresses).
     */
    public static TargetConfig twoPortalGroups(String advertisedHost, String... lunSpecs) {
        String advertise = advertisedHost == null ? null : advertisedHost + ":0";
        TargetConfig.Alua alua =
                new TargetConfig.Alua(
                        "both",
                        5,
                        List.of(
                                new TargetConfig.PortGroup(1, List.of(1), "active-optimized", true),
                                new TargetConfig.PortGroup(
                                        2, List.of(2), "active-non-optimized", null)));
        TargetConfig.Node node =
                new TargetConfig.Node(
                        IQN,
                        "two-portal-groups",
                        List.of(lunSpecs),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        alua);
        return new TargetConfig(
                        List.of(
                                new TargetConfig.Portal("127.0.0.1:0", advertise, 1),
                                new TargetConfig.Portal("127.0.0.1:0", advertise, 2)),
                        "off",
                        0,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        List.of(node))
                .withDefaults();
    }

    public InetSocketAddress address() {
        return address;
    }

    public String iqn() {
        return iqn;
    }

    public ScsiTargetDevice device() {
        return runtime.devices().get(0);
    }

    /**
     * Starts the admin HTTP API on a free loopback port (once); returns its base URI, e.g.
     * http://127.0.0.1:PORT/api/v1/.
     */
    public URI startAdmin() throws InterruptedException {
        runtime.startAdmin(new InetSocketAddress("127.0.0.1", 0));
        return URI.create(runtime.adminUrl());
    }

    /** The admin API without HTTP, for tests that call it directly. */
    public AdminApi adminApi() {
        return runtime.adminApi();
    }

    /** Requires CHAP for logins to this target (see {@link IscsiTarget#requireChap}). */
    public void requireChap(ChapCredentials initiator, ChapCredentials mutual) {
        server().target(iqn).requireChap(initiator, mutual);
    }

    /** Fault rules of the target: add them while initiators are attached. */
    public FaultRules faults() {
        return server().faults();
    }

    /** What reached the target: logins, logouts, commands, task management, faults fired. */
    public EventLog events() {
        return server().events();
    }

    public IscsiTargetServer server() {
        return runtime.server();
    }

    /** The runtime behind this target: its meters, its admin API. */
    public TargetRuntime runtime() {
        return runtime;
    }

    /** The libiscsi / QEMU URL of a LUN: iscsi://127.0.0.1:PORT/IQN/LUN. */
    public String libiscsiUrl(int lun) {
        return IscsiUrl.of(address, iqn, lun).toString();
    }

    /** The same through the target's portal number {@code portal} (0 is the first). */
    public String libiscsiUrl(int lun, int portal) {
        return IscsiUrl.of(runtime.bound().get(portal), iqn, lun).toString();
    }

    public List<TargetSession> sessions() {
        return new ArrayList<>(server().sessions().all());
    }

    @Override
    public void close() {
        runtime.close();
    }
}
