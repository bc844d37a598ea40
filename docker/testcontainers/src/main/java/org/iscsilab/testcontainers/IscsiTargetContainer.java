package org.iscsilab.testcontainers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.iscsi.initiator.IscsiUrl;
import org.iscsilab.server.admin.AdminClient;
import org.iscsilab.testkit.TargetControl;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The iscsilab target in a container, for JUnit suites: LUNs, CHAP and fault rules at start, fault
 * rules while initiators are attached (through the target's admin API), and the URLs initiators
 * use.
 *
 * <pre>{@code
 * @Container
 * static IscsiTargetContainer target = new IscsiTargetContainer("iscsilab/target:latest")
 *         .withLun("ram:256M")
 *         .withLun("ram:64M,block=4096");
 *
 * String url = target.iscsiUrl(0);          // iscsi://HOST:PORT/IQN/0 for libiscsi and QEMU
 * int rule = target.addFault("medium-error,lun=0,lba=100-199");
 * }</pre>
 *
 * By default the portal (3260) and the admin API (9260) are published on mapped ports. With {@link
 * #withHostNetwork(int, int)} the container shares the host's network and listens on the ports
 * given, on loopback.
 */
public class IscsiTargetContainer extends GenericContainer<IscsiTargetContainer> {
    public static final int ISCSI_PORT = 3260;
    public static final int ADMIN_PORT = 9260;
    public static final String DEFAULT_IQN = "iqn.2026-01.org.iscsilab:target0";

    private final List<String> luns = new ArrayList<>();
    private final List<String> faults = new ArrayList<>();
    private String iqn = DEFAULT_IQN;
    private String chap;
    private String mutualChap;
    private String advertise;
    private boolean hostNetwork;
    private int hostPortal = ISCSI_PORT;
    private int hostAdmin = ADMIN_PORT;

    public IscsiTargetContainer(String image) {
        this(DockerImageName.parse(image));
    }

    public IscsiTargetContainer(DockerImageName image) {
        super(image);
        waitForStart();
    }

    /**
     * An image built by the suite itself, e.g. an {@code ImageFromDockerfile} of docker/Dockerfile.
     */
    public IscsiTargetContainer(Future<String> image) {
        super(image);
        waitForStart();
    }

    private void waitForStart() {
        waitingFor(
                Wait.forLogMessage(".*press Ctrl-C to stop.*\\n", 1)
                        .withStartupTimeout(Duration.ofSeconds(60)));
    }

    /**
     * A LUN spec as {@code iscsilab target --lun} takes it, numbered in order from 0 (default: one
     * ram:1G).
     */
    public IscsiTargetContainer withLun(String spec) {
        luns.add(spec);
        return self();
    }

    public IscsiTargetContainer withIqn(String iqn) {
        this.iqn = iqn;
        return self();
    }

    /** Requires CHAP: initiators log in as {@code user} with {@code secret} (at least 12 bytes). */
    public IscsiTargetContainer withChap(String user, String secret) {
        this.chap = user;
        withEnv("ISCSILAB_CHAP_SECRET", secret);
        return self();
    }

    /**
     * Mutual CHAP: the target answers the initiator's challenge as {@code user} with {@code
     * secret}.
     */
    public IscsiTargetContainer withMutualChap(String user, String secret) {
        this.mutualChap = user + ":" + secret;
        return self();
    }

    /** A fault rule in force from the start (same syntax as {@code iscsilab target --fault}). */
    public IscsiTargetContainer withFault(String rule) {
        faults.add(rule);
        return self();
    }

    /** The TargetAddress SendTargets reports (HOST:PORT), for initiators behind NAT. */
    public IscsiTargetContainer withAdvertisedAddress(String hostPort) {
        this.advertise = hostPort;
        return self();
    }

    /**
     * Shares the host's network: the portal listens on 127.0.0.1:{@code portal}, the admin API on
     * {@code admin}.
     */
    public IscsiTargetContainer withHostNetwork(int portal, int admin) {
        this.hostNetwork = true;
        this.hostPortal = portal;
        this.hostAdmin = admin;
        withNetworkMode("host");
        return self();
    }

    @Override
    protected void configure() {
        List<String> cmd = new ArrayList<>(List.of("target", "--iqn", iqn));
        if (hostNetwork) {
            cmd.addAll(
                    List.of(
                            "--portal",
                            "127.0.0.1:" + hostPortal,
                            "--admin",
                            "127.0.0.1:" + hostAdmin));
        } else {
            cmd.addAll(
                    List.of(
                            "--portal",
                            "0.0.0.0:" + ISCSI_PORT,
                            "--admin",
                            "0.0.0.0:" + ADMIN_PORT));
            addExposedPorts(ISCSI_PORT, ADMIN_PORT);
        }
        for (String lun : luns.isEmpty() ? List.of("ram:1G") : luns) {
            cmd.addAll(List.of("--lun", lun));
        }
        if (chap != null) {
            cmd.addAll(List.of("--chap", chap));
        }
        if (mutualChap != null) {
            cmd.addAll(List.of("--mutual-chap", mutualChap));
        }
        if (advertise != null) {
            cmd.addAll(List.of("--advertise", advertise));
        }
        for (String f : faults) {
            cmd.addAll(List.of("--fault", f));
        }
        setCommand(cmd.toArray(String[]::new));
    }

    public String iqn() {
        return iqn;
    }

    /** The host initiators connect to. */
    public String portalHost() {
        return hostNetwork ? "127.0.0.1" : getHost();
    }

    public int portalPort() {
        return hostNetwork ? hostPortal : getMappedPort(ISCSI_PORT);
    }

    /** HOST:PORT of the portal, for iscsiadm and SendTargets. */
    public String portal() {
        return portalHost() + ":" + portalPort();
    }

    /** The libiscsi / QEMU URL of a LUN: iscsi://HOST:PORT/IQN/LUN. */
    public String iscsiUrl(int lun) {
        return new IscsiUrl(portalHost(), portalPort(), iqn, lun).toString();
    }

    /** The admin API's base, http://HOST:PORT/api/v1/. */
    public URI adminUri() {
        int port = hostNetwork ? hostAdmin : getMappedPort(ADMIN_PORT);
        return URI.create("http://" + portalHost() + ":" + port + "/api/v1/");
    }

    /** A client of this container's admin API. */
    public AdminClient admin() {
        int port = hostNetwork ? hostAdmin : getMappedPort(ADMIN_PORT);
        return new AdminClient(portalHost() + ":" + port);
    }

    /**
     * The test kit's control of this container's target (faults, events, LUNs) over its admin API:
     * the same interface an in-JVM {@code IscsiTarget} implements, so a test moves between them by
     * changing one line.
     */
    public TargetControl control() {
        return TargetControl.remote(adminUri().toString());
    }

    /** Adds a fault rule while the target runs; returns its id. */
    public int addFault(String rule) {
        return call(() -> admin().addFault(rule));
    }

    public void removeFault(int id) {
        call(
                () -> {
                    admin().removeFault(id);
                    return null;
                });
    }

    /**
     * The target's event log, oldest first, filtered as the admin API's query allows, e.g. {@code
     * events(Map.of("type", "COMMAND", "lun", "0"))}.
     */
    public List<EventLog.Event> events(Map<String, String> query) {
        return call(() -> admin().events(query).events());
    }

    private interface AdminCall<T> {
        T run() throws IOException;
    }

    private static <T> T call(AdminCall<T> c) {
        try {
            return c.run();
        } catch (IOException e) {
            throw new UncheckedIOException("admin API: " + e.getMessage(), e);
        }
    }
}
