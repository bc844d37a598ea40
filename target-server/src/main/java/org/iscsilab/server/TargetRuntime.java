package org.iscsilab.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.iscsilab.core.LunSpec;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.alua.AccessState;
import org.iscsilab.core.alua.Alua;
import org.iscsilab.core.alua.TargetPortGroup;
import org.iscsilab.core.alua.TpgsMode;
import org.iscsilab.core.fault.FaultRule;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.iscsi.login.ChapRequirement;
import org.iscsilab.iscsi.login.SrpCredentials;
import org.iscsilab.iscsi.node.IscsiNames;
import org.iscsilab.iscsi.node.IscsiTarget;
import org.iscsilab.iscsi.node.IscsiTargetServer;
import org.iscsilab.iscsi.node.TargetSettings;
import org.iscsilab.server.admin.AdminApi;
import org.iscsilab.server.admin.AdminClient;
import org.iscsilab.server.admin.AdminServer;
import org.iscsilab.server.config.HostPort;
import org.iscsilab.server.config.TargetConfig;

/**
 * A running target, assembled in one place: the LUN I/O pool, the logical units, the target nodes
 * with their CHAP, SRP, access lists and LUN masks, the portals, the fault rules in force from the
 * start, the Prometheus registry and the admin API. The command line, the embedded target and the
 * container image all start targets through {@link #start}; {@link #close} stops them in the
 * reverse order (admin API, then initiators asked to log out, then LUNs flushed, then the pool).
 */
public final class TargetRuntime implements AutoCloseable {
    /**
     * Threads that run blocking file I/O for every LUN of the target (RAM and null LUNs never use
     * them).
     */
    public static final int IO_THREADS = 8;

    /** How long {@link #close} waits for initiators to log out after asking them to. */
    public static final Duration LOGOUT_GRACE = Duration.ofSeconds(3);

    private final ExecutorService io;
    private final PrometheusMeterRegistry registry;
    private final IscsiTargetServer server;
    private final List<ScsiTargetDevice> devices;
    private final List<FaultRule> initialFaults;
    private final Duration logoutGrace;
    private List<InetSocketAddress> bound = List.of();
    private AdminServer admin;
    private AdminApi api;
    private InetSocketAddress adminAddress;

    private TargetRuntime(
            ExecutorService io,
            PrometheusMeterRegistry registry,
            IscsiTargetServer server,
            List<ScsiTargetDevice> devices,
            List<FaultRule> initialFaults,
            Duration logoutGrace) {
        this.io = io;
        this.registry = registry;
        this.server = server;
        this.devices = devices;
        this.initialFaults = initialFaults;
        this.logoutGrace = logoutGrace;
    }

    /**
     * The session settings a configuration asks for: NOP-In interval, the limits and what sessions
     * may negotiate.
     */
    public static TargetSettings settingsOf(TargetConfig cfg) {
        if (cfg.nopInterval() < 0) {
            throw new IllegalArgumentException("--nop-interval must be 0 or more seconds");
        }
        TargetSettings settings =
                TargetSettings.defaults()
                        .withNopIn(
                                Duration.ofSeconds(cfg.nopInterval()),
                                Duration.ofSeconds(Math.max(30, cfg.nopInterval() * 3L)))
                        .withLimits(cfg.limits().toLimits());
        if (cfg.io() != null) {
            settings = cfg.io().applyTo(settings);
            settings.networkIo().resolved(); // a transport this machine lacks is refused here
        }
        return cfg.session() == null ? settings : cfg.session().applyTo(settings);
    }

    /** Starts the target a configuration (with its defaults applied) describes. */
    public static TargetRuntime start(TargetConfig cfg) throws IOException, InterruptedException {
        return start(cfg, settingsOf(cfg), LOGOUT_GRACE);
    }

    /**
     * Starts the target a configuration describes with these session settings (tests set what the
     * configuration file cannot, such as short timeouts). Nothing is left running or open when it
     * fails.
     */
    public static TargetRuntime start(
            TargetConfig cfg, TargetSettings settings, Duration logoutGrace)
            throws IOException, InterruptedException {
        List<InetSocketAddress> listen = new ArrayList<>();
        List<InetSocketAddress> advertised = new ArrayList<>();
        List<Integer> tags = new ArrayList<>();
        boolean anyAdvertised = cfg.portals().stream().anyMatch(p -> p.advertise() != null);
        for (TargetConfig.Portal p : cfg.portals()) {
            InetSocketAddress at = resolved("portal", p.listen(), IscsiTargetServer.DEFAULT_PORT);
            if (p.groupTag() < 1 || p.groupTag() > 0xFFFF) {
                throw new IllegalArgumentException(
                        "portal "
                                + p.listen()
                                + ": portal group "
                                + p.groupTag()
                                + " is not between 1 and 65535");
            }
            listen.add(at);
            tags.add(p.groupTag());
            if (anyAdvertised) {
                // a portal without its own advertised address reports the one it is bound to (port
                // 0: the bound port)
                advertised.add(
                        p.advertise() != null
                                // without a port: the port of the portal it advertises
                                ? HostPort.parse(p.advertise(), 0)
                                : InetSocketAddress.createUnresolved(at.getHostString(), 0));
            }
        }
        InetSocketAddress adminAt =
                cfg.admin().equalsIgnoreCase("off")
                        ? null
                        : resolved("admin API", cfg.admin(), AdminClient.DEFAULT_PORT);
        List<LunSpec> specs = new ArrayList<>();
        for (TargetConfig.Node n : cfg.targets()) {
            IscsiNames.validate(n.iqn());
            for (String l : n.luns()) {
                LunSpec spec = LunSpec.parse(l);
                try {
                    spec.requireUsable();
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("LUN '" + l + "': " + e.getMessage());
                }
                specs.add(spec);
            }
        }
        ExecutorService io =
                Executors.newFixedThreadPool(
                        IO_THREADS,
                        r -> {
                            Thread t = new Thread(r, "lun-io");
                            t.setDaemon(true);
                            return t;
                        });
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        IscsiTargetServer server =
                new IscsiTargetServer(settings, listen, advertised, tags, registry);
        TargetRuntime runtime =
                new TargetRuntime(
                        io, registry, server, new ArrayList<>(), new ArrayList<>(), logoutGrace);
        // files this start creates, removed again if it fails: a failed start leaves nothing
        List<Path> created = new ArrayList<>();
        specs.stream().map(LunSpec::fileToCreate).filter(Objects::nonNull).forEach(created::add);
        try {
            if (cfg.discoveryChap() != null) {
                server.requireDiscoveryChap(
                        new ChapRequirement(
                                chapOf(cfg.discoveryChap()), chapOf(cfg.discoveryMutualChap())));
            } else if (cfg.discoveryMutualChap() != null) {
                throw new IllegalArgumentException(
                        "--discovery-mutual-chap needs --discovery-chap");
            }
            for (String rule : cfg.faults()) {
                runtime.initialFaults.add(server.faults().add(rule));
            }
            // the addresses first: a busy one fails the start before any LUN file is made
            runtime.bound = bind(server, listen);
            for (int i = 0; i < cfg.portals().size(); i++) {
                TargetConfig.Redirect r = cfg.portals().get(i).redirect();
                if (r != null) {
                    // a rule scoped to the bound portal: shown by fault list like any other
                    runtime.initialFaults.add(
                            server.faults().add(r.rule(HostPort.format(runtime.bound.get(i)))));
                }
            }
            if (adminAt != null) {
                try {
                    runtime.startAdmin(adminAt);
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    throw bindFailure("admin API", adminAt, e);
                }
            }
            int first = 0;
            for (TargetConfig.Node n : cfg.targets()) {
                runtime.addNode(n, specs.subList(first, first + n.luns().size()));
                first += n.luns().size();
            }
            return runtime;
        } catch (IOException | InterruptedException | RuntimeException e) {
            runtime.close();
            for (Path p : created) {
                Files.deleteIfExists(p);
            }
            throw e;
        }
    }

    private static List<InetSocketAddress> bind(
            IscsiTargetServer server, List<InetSocketAddress> listen)
            throws InterruptedException, IOException {
        try {
            return server.start();
        } catch (Exception e) {
            if (e instanceof InterruptedException i) {
                throw i;
            }
            InetSocketAddress at =
                    server.failedPortal() != null ? server.failedPortal() : listen.get(0);
            throw bindFailure("portal", at, e);
        }
    }

    /** "portal 127.0.0.1:3260: address already in use", whatever the transport's words were. */
    private static BindException bindFailure(String what, InetSocketAddress at, Exception e) {
        String reason = e.getMessage() == null ? "cannot listen there" : e.getMessage();
        reason = reason.replaceFirst("^bind\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "");
        BindException b =
                new BindException(
                        what + " " + HostPort.format(at) + ": " + reason.toLowerCase(Locale.ROOT));
        b.initCause(e);
        return b;
    }

    /** A listening address, resolved; an error names what it is for and the address. */
    private static InetSocketAddress resolved(String what, String text, int defaultPort) {
        try {
            return HostPort.parseResolved(text, defaultPort);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " " + text + ": " + e.getMessage());
        }
    }

    private static ChapCredentials chapOf(TargetConfig.Credentials c) {
        return c == null ? null : new ChapCredentials(c.user(), c.secret());
    }

    /** One target node: its LUNs, CHAP, SRP, access lists and LUN masks. */
    private void addNode(TargetConfig.Node n, List<LunSpec> specs) throws IOException {
        ScsiTargetDevice device = new ScsiTargetDevice(n.iqn());
        devices.add(device); // closed with the runtime, also when a later step fails
        // relative target port identifiers are the portal group tags (RFC 7143 §4.4.2)
        device.alua().setTargetPorts(server.portalGroupTags());
        if (n.alua() != null) {
            configureAlua(device.alua(), n.alua(), server.portalGroupTags(), n.iqn());
        }
        device.alua()
                .onChange(
                        c ->
                                server.events()
                                        .accessStateChanged(
                                                n.iqn(),
                                                c.group(),
                                                c.from().label(),
                                                c.to().label(),
                                                c.cause()));
        for (int i = 0; i < specs.size(); i++) {
            device.addLogicalUnit(specs.get(i).create(i, identityScope(n.iqn()), io));
        }
        IscsiTarget node = new IscsiTarget(n.iqn(), n.alias(), device);
        if (n.chap() != null) {
            node.requireChap(chapOf(n.chap()), chapOf(n.mutualChap()));
        } else if (n.mutualChap() != null) {
            throw new IllegalArgumentException("--mutual-chap needs --chap");
        }
        if (n.srp() != null) {
            node.requireSrp(SrpCredentials.derive(n.srp().user(), n.srp().secret()));
        }
        n.allowInitiators().forEach(IscsiNames::validate);
        node.access().allowNames(n.allowInitiators());
        node.access().allowNetworks(n.allowNetworks());
        n.lunMasks().forEach((iqn, visible) -> device.masking().restrict(iqn, Set.copyOf(visible)));
        server.addTarget(node);
    }

    /**
     * A target's ALUA from its configuration, checked whole: a known mode, groups with numbers,
     * known states, and ports that are portal groups of this target. An error names the target.
     */
    private static void configureAlua(
            Alua alua, TargetConfig.Alua cfg, List<Integer> portalTags, String iqn) {
        try {
            List<TargetPortGroup> groups = new ArrayList<>();
            List<TargetConfig.PortGroup> given = cfg.groups() == null ? List.of() : cfg.groups();
            for (int i = 0; i < given.size(); i++) {
                TargetConfig.PortGroup g = given.get(i);
                if (g.id() == null) {
                    throw new IllegalArgumentException("groups[" + i + "]: give its id");
                }
                List<Integer> ports = g.portals() == null ? List.of() : g.portals();
                for (int p : ports) {
                    if (!portalTags.contains(p)) {
                        throw new IllegalArgumentException(
                                "group "
                                        + g.id()
                                        + " names portal group "
                                        + p
                                        + ", which no portal has (the portal groups are "
                                        + portalTags
                                        + ")");
                    }
                }
                AccessState state =
                        g.state() == null
                                ? AccessState.ACTIVE_OPTIMIZED
                                : AccessState.parse(g.state());
                groups.add(
                        new TargetPortGroup(
                                g.id(),
                                ports,
                                state,
                                Boolean.TRUE.equals(g.preferred()),
                                TargetPortGroup.STATUS_NONE));
            }
            if (groups.isEmpty()) {
                groups.add(TargetPortGroup.of(1, List.of(), AccessState.ACTIVE_OPTIMIZED));
            }
            alua.configure(
                    cfg.mode() == null ? TpgsMode.BOTH : TpgsMode.parse(cfg.mode()),
                    groups,
                    cfg.implicitTransitionTime() == null ? 0 : cfg.implicitTransitionTime());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("target " + iqn + ": alua: " + e.getMessage(), e);
        }
    }

    /**
     * What a LUN's serial number and NAA designator derive from besides its number: the target's
     * name and the address of its first portal. Two targets of one name on one host are then never
     * taken for paths to one disk (multipath matches LUNs by those identifiers, SPC-5 §7.7.6),
     * while a target restarted on the same address keeps them.
     */
    private String identityScope(String iqn) {
        return bound.isEmpty() ? iqn : iqn + "@" + HostPort.format(bound.get(0));
    }

    /** Starts the admin HTTP API (once) on this address; returns the bound address. */
    public synchronized InetSocketAddress startAdmin(InetSocketAddress address)
            throws InterruptedException {
        if (admin == null) {
            AdminServer a = new AdminServer(adminApi());
            adminAddress = a.start(address);
            admin = a;
        }
        return adminAddress;
    }

    /**
     * The admin API of this target, without HTTP: the one instance the admin server serves, so its
     * LUN changes are serialized with those that arrive over HTTP.
     */
    public synchronized AdminApi adminApi() {
        if (api == null) {
            api =
                    new AdminApi(
                            server,
                            (lun, target, spec) -> spec.create(lun, identityScope(target), io),
                            registry);
        }
        return api;
    }

    /** The admin API's base URL, http://HOST:PORT/api/v1/, or null while it is not running. */
    public synchronized String adminUrl() {
        if (adminAddress == null) {
            return null;
        }
        return "http://" + HostPort.format(adminAddress) + "/api/v1/";
    }

    public IscsiTargetServer server() {
        return server;
    }

    /** The target nodes' SCSI target devices, in the configuration's order. */
    public List<ScsiTargetDevice> devices() {
        return List.copyOf(devices);
    }

    /** The portals as bound (port 0 in the configuration becomes the port the system chose). */
    public List<InetSocketAddress> bound() {
        return bound;
    }

    /** The fault rules the configuration put in force from the start. */
    public List<FaultRule> initialFaults() {
        return List.copyOf(initialFaults);
    }

    /** Every meter of the target, in Prometheus' registry (the admin API's /metrics). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
        server.shutdown(logoutGrace);
        devices.forEach(ScsiTargetDevice::close);
        io.shutdown();
    }
}
