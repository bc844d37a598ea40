package org.iscsilab.testcontainers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.IscsiUrl;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.server.admin.AdminClient;
import org.iscsilab.testkit.BlockDevice;
import org.iscsilab.testkit.IscsiTargetExtension;
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
 * given, on loopback; {@value #NETWORK_ENV}=host in the environment does that on free ports for
 * every container.
 */
public class IscsiTargetContainer extends GenericContainer<IscsiTargetContainer> {
    /** The iSCSI portal's TCP port inside the container, the well-known iSCSI port. */
    public static final int ISCSI_PORT = 3260;

    /** The admin API's TCP port inside the container. */
    public static final int ADMIN_PORT = 9260;

    /** The environment variable that, set to "host", puts containers on the host's network. */
    public static final String NETWORK_ENV = "ISCSILAB_CONTAINER_NETWORK";

    /** The target's iSCSI name unless {@link #withIqn} gives another. */
    public static final String DEFAULT_IQN = "iqn.2026-01.org.iscsilab:target0";

    private final List<String> luns = new ArrayList<>();
    private final List<String> faults = new ArrayList<>();
    private String iqn = DEFAULT_IQN;
    private String chap;
    private String mutualChap;
    private String advertise;
    private ChapCredentials chapCredentials;
    private ChapCredentials mutualChapCredentials;
    private boolean hostNetwork;
    private int hostPortal = ISCSI_PORT;
    private int hostAdmin = ADMIN_PORT;

    /**
     * A container of the target image with this name.
     *
     * @param image the image's name and tag, e.g. "iscsilab/target:latest"
     */
    public IscsiTargetContainer(String image) {
        this(DockerImageName.parse(image));
    }

    /**
     * A container of this target image.
     *
     * @param image the parsed image name, e.g. with a registry or digest
     */
    public IscsiTargetContainer(DockerImageName image) {
        super(image);
        waitForStart();
    }

    /**
     * An image built by the suite itself, e.g. an {@code ImageFromDockerfile} of docker/Dockerfile.
     *
     * @param image the image's name once it is built; the container waits for it at start
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
     *
     * @param spec the LUN's store, capacity and options, e.g. "ram:256M" or "ram:64M,block=4096"
     * @return this container
     */
    public IscsiTargetContainer withLun(String spec) {
        luns.add(spec);
        return self();
    }

    /**
     * Names the target (default {@value #DEFAULT_IQN}).
     *
     * @param iqn the iSCSI qualified name initiators give as TargetName at login
     * @return this container
     */
    public IscsiTargetContainer withIqn(String iqn) {
        this.iqn = iqn;
        return self();
    }

    /**
     * Requires CHAP: initiators log in as {@code user} with {@code secret} (at least 12 bytes).
     *
     * @param user the CHAP name (CHAP_N) initiators must authenticate as
     * @param secret the secret their CHAP_R response must be computed with; it reaches the target
     *     through the container's environment, not its command line
     * @return this container
     */
    public IscsiTargetContainer withChap(String user, String secret) {
        this.chap = user;
        this.chapCredentials = new ChapCredentials(user, secret);
        withEnv("ISCSILAB_CHAP_SECRET", secret);
        return self();
    }

    /**
     * Mutual CHAP: the target answers the initiator's challenge as {@code user} with {@code
     * secret}.
     *
     * @param user the CHAP name the target answers the initiator's challenge with
     * @param secret the target's secret for that answer, at least 12 bytes
     * @return this container
     */
    public IscsiTargetContainer withMutualChap(String user, String secret) {
        this.mutualChap = user + ":" + secret;
        this.mutualChapCredentials = new ChapCredentials(user, secret);
        return self();
    }

    /**
     * A fault rule in force from the start (same syntax as {@code iscsilab target --fault}).
     *
     * @param rule the rule, e.g. "medium-error,lun=0,lba=2048-2055,op=read"
     * @return this container
     */
    public IscsiTargetContainer withFault(String rule) {
        faults.add(rule);
        return self();
    }

    /**
     * The TargetAddress SendTargets reports (HOST:PORT), for initiators behind NAT.
     *
     * @param hostPort the address initiators reach the portal at, sent as TargetAddress in
     *     SendTargets answers instead of the container's own
     * @return this container
     */
    public IscsiTargetContainer withAdvertisedAddress(String hostPort) {
        this.advertise = hostPort;
        return self();
    }

    /**
     * Shares the host's network: the portal listens on 127.0.0.1:{@code portal}, the admin API on
     * {@code admin}.
     *
     * @param portal the host's TCP port for the iSCSI portal
     * @param admin the host's TCP port for the admin API
     * @return this container
     */
    public IscsiTargetContainer withHostNetwork(int portal, int admin) {
        this.hostNetwork = true;
        this.hostPortal = portal;
        this.hostAdmin = admin;
        withNetworkMode("host");
        return self();
    }

    /**
     * Where bridge networks are not to be used (CI machines, some hosts),
     * ISCSILAB_CONTAINER_NETWORK=host makes every container share the host's network on free
     * loopback ports, as {@link #withHostNetwork} does, without a change to the test.
     */
    private void hostNetworkWhenTheEnvironmentAsks() {
        if (!hostNetwork && "host".equals(System.getenv(NETWORK_ENV))) {
            withHostNetwork(freePort(), freePort());
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port: " + e.getMessage(), e);
        }
    }

    @Override
    protected void configure() {
        hostNetworkWhenTheEnvironmentAsks();
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

    /**
     * The target's iSCSI name, as initiators give it at login.
     *
     * @return the name {@link #withIqn} gave, else {@value #DEFAULT_IQN}
     */
    public String iqn() {
        return iqn;
    }

    /**
     * The host initiators connect to.
     *
     * @return the container's host as Testcontainers sees it, or 127.0.0.1 on the host's network
     */
    public String portalHost() {
        return hostNetwork ? "127.0.0.1" : getHost();
    }

    /**
     * The TCP port initiators connect to.
     *
     * @return the host port mapped to {@link #ISCSI_PORT}, or the portal port {@link
     *     #withHostNetwork} gave
     */
    public int portalPort() {
        return hostNetwork ? hostPortal : getMappedPort(ISCSI_PORT);
    }

    /**
     * HOST:PORT of the portal, for iscsiadm and SendTargets.
     *
     * @return {@link #portalHost()} and {@link #portalPort()} joined by a colon
     */
    public String portal() {
        return portalHost() + ":" + portalPort();
    }

    /**
     * The libiscsi / QEMU URL of a LUN: iscsi://HOST:PORT/IQN/LUN.
     *
     * @param lun the LUN the URL addresses
     * @return the URL with this container's portal and target name, e.g. for {@code qemu-io} or
     *     {@code iscsi-inq}
     */
    public String iscsiUrl(int lun) {
        return new IscsiUrl(portalHost(), portalPort(), iqn, lun).toString();
    }

    /**
     * The admin API's base, http://HOST:PORT/api/v1/.
     *
     * @return the base URI of the admin API on its mapped (or host network) port
     */
    public URI adminUri() {
        int port = hostNetwork ? hostAdmin : getMappedPort(ADMIN_PORT);
        return URI.create("http://" + portalHost() + ":" + port + "/api/v1/");
    }

    /**
     * Opens LUN {@code lun} as a disk with the kit's {@link BlockDevice}, logging in with the
     * container's CHAP when it has one: the same disk {@code IscsiTarget.connect} gives for an
     * embedded target.
     *
     * <pre>{@code
     * try (BlockDevice disk = target.connect(0)) {
     *     byte[] first = disk.read(0, 1);
     * }
     * }</pre>
     *
     * @param lun the LUN to open
     * @return the LUN as a disk over a session of its own, the unit attentions of the new I_T nexus
     *     taken and the capacity read; close it to log out
     */
    public BlockDevice connect(int lun) {
        InitiatorConfig login = InitiatorConfig.normal(iqn);
        if (chapCredentials != null) {
            login = login.withChap(chapCredentials, mutualChapCredentials);
        }
        return BlockDevice.connect(new InetSocketAddress(portalHost(), portalPort()), login, lun);
    }

    /**
     * A client of this container's admin API.
     *
     * @return a new client for the admin API's fault, LUN, session and event requests
     */
    public AdminClient admin() {
        int port = hostNetwork ? hostAdmin : getMappedPort(ADMIN_PORT);
        return new AdminClient(portalHost() + ":" + port);
    }

    /**
     * The test kit's control of this container's target (faults, events, LUNs) over its admin API:
     * the same interface an in-JVM {@code IscsiTarget} implements, so a test moves between them by
     * changing one line.
     *
     * @return a control whose calls are requests to {@link #adminUri()}
     */
    public TargetControl control() {
        return TargetControl.remote(adminUri().toString());
    }

    /**
     * A JUnit 5 extension that starts this container for a test class (in a static field) or for
     * each test (in an instance field) and gives the tests its {@link TargetControl}, a {@link
     * BlockDevice} of LUN 0 and its URL, as {@link IscsiTargetExtension#withLun} does for a target
     * in the JVM: a test moves between the two by changing this one line.
     *
     * <pre>{@code
     * @RegisterExtension
     * static IscsiTargetExtension target =
     *         new IscsiTargetContainer("iscsilab/target:latest").withLun("ram:64M").asExtension();
     * }</pre>
     *
     * @return the extension; a failing test's report gets the container's log of the test
     */
    public IscsiTargetExtension asExtension() {
        return IscsiTargetExtension.of(
                () -> {
                    start();
                    return new ContainerTestTarget(this);
                });
    }

    /**
     * Adds a fault rule while the target runs; returns its id.
     *
     * @param rule the rule in the {@code --fault} language, e.g.
     *     "check-condition,sense=NOT_READY/04/01,lun=0,op=read"
     * @return the id the target gave the rule, for {@link #removeFault}
     * @throws AdminClient.AdminException if the admin API cannot be reached or refuses the request,
     *     with the API's message
     */
    public int addFault(String rule) {
        return call(() -> admin().addFault(rule));
    }

    /**
     * Removes a fault rule while the target runs; a frozen connection resumes.
     *
     * @param id the rule's id, as {@link #addFault} returned it
     * @throws AdminClient.AdminException if the admin API cannot be reached or refuses the request,
     *     with the API's message
     */
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
     *
     * @param query the admin API's event filters: type, lun, opcode, initiator, since (a sequence
     *     number) and limit; an empty map for all
     * @return the matching events, oldest first: the newest {@code limit} of them (1000 unless
     *     given)
     * @throws AdminClient.AdminException if the admin API cannot be reached or refuses the query
     *     (e.g. an unknown type), with the API's message
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
