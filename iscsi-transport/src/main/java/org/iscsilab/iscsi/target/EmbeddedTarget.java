package org.iscsilab.iscsi.target;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.net.URI;
import org.iscsilab.iscsi.admin.AdminApi;
import org.iscsilab.iscsi.admin.AdminServer;
import org.iscsilab.iscsi.cli.LunSpec;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.target.ScsiTargetDevice;
import org.iscsilab.target.fault.EventLog;
import org.iscsilab.target.fault.FaultRules;

/**
 * A target running inside the caller's JVM, for tests: one iSCSI target on a loopback port
 * chosen by the system, with LUNs given in the CLI's spec syntax.
 *
 * <pre>
 * try (EmbeddedTarget t = EmbeddedTarget.start("ram:64M", "ram:64M,block=4096")) {
 *     String url = t.libiscsiUrl(0);
 * }
 * </pre>
 */
public final class EmbeddedTarget implements AutoCloseable {
    public static final String IQN = "iqn.2026-01.org.iscsilab:embedded";

    private final IscsiTargetServer server;
    private final ScsiTargetDevice device;
    private final ExecutorService io;
    private final InetSocketAddress address;
    private AdminServer admin;
    private InetSocketAddress adminAddress;

    private EmbeddedTarget(IscsiTargetServer server, ScsiTargetDevice device, ExecutorService io,
                           InetSocketAddress address) {
        this.server = server;
        this.device = device;
        this.io = io;
        this.address = address;
    }

    public static EmbeddedTarget start(String... lunSpecs) throws IOException, InterruptedException {
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
    public static EmbeddedTarget startAdvertising(TargetSettings settings, String advertisedHost, String... lunSpecs)
            throws IOException, InterruptedException {
        ExecutorService io = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "lun-io");
            t.setDaemon(true);
            return t;
        });
        ScsiTargetDevice device = new ScsiTargetDevice(IQN);
        for (int i = 0; i < lunSpecs.length; i++) {
            device.addLogicalUnit(LunSpec.parse(lunSpecs[i]).create(i, IQN, io));
        }
        IscsiTargetServer server = new IscsiTargetServer(settings,
                List.of(new InetSocketAddress("127.0.0.1", 0)),
                advertisedHost == null ? List.of() : List.of(InetSocketAddress.createUnresolved(advertisedHost, 0)), 1);
        server.addTarget(new IscsiTarget(IQN, "embedded", device));
        InetSocketAddress bound = server.start().get(0);
        return new EmbeddedTarget(server, device, io, bound);
    }

    public InetSocketAddress address() {
        return address;
    }

    public String iqn() {
        return IQN;
    }

    public ScsiTargetDevice device() {
        return device;
    }

    /**
     * Starts the admin HTTP API on a free loopback port (once); returns its base URI,
     * e.g. http://127.0.0.1:PORT/api/v1/.
     */
    public synchronized URI startAdmin() throws InterruptedException {
        if (admin == null) {
            admin = new AdminServer(new AdminApi(server, (lun, target, spec) -> LunSpec.parse(spec).create(lun, target,
                    io)));
            adminAddress = admin.start(new InetSocketAddress("127.0.0.1", 0));
        }
        return URI.create("http://127.0.0.1:" + adminAddress.getPort() + "/api/v1/");
    }

    /** Requires CHAP for logins to this target (see {@link IscsiTarget#requireChap}). */
    public void requireChap(ChapCredentials initiator, ChapCredentials mutual) {
        server.target(IQN).requireChap(initiator, mutual);
    }

    /** Fault rules of the target: add them while initiators are attached. */
    public FaultRules faults() {
        return server.faults();
    }

    /** What reached the target: logins, logouts, commands, task management, faults fired. */
    public EventLog events() {
        return server.events();
    }

    public IscsiTargetServer server() {
        return server;
    }

    /** The libiscsi / QEMU URL of a LUN: iscsi://127.0.0.1:PORT/IQN/LUN. */
    public String libiscsiUrl(int lun) {
        return "iscsi://127.0.0.1:" + address.getPort() + "/" + IQN + "/" + lun;
    }

    public List<TargetSession> sessions() {
        return new ArrayList<>(server.sessions().all());
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        server.shutdown(Duration.ofMillis(500));
        device.close();
        io.shutdownNow();
    }
}
