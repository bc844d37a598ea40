package org.iscsilab.iscsi.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.iscsilab.core.LunSpec;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.core.fault.FaultRules;
import org.iscsilab.iscsi.login.ChapCredentials;

/**
 * The transport's own test target: one {@link IscsiTargetServer} on a loopback port with one target
 * node whose LUNs are given as LUN specs. The assembled product (config, admin API, Prometheus) is
 * the target server module's; these tests need the transport and the SCSI core only.
 */
final class TestTarget implements AutoCloseable {
    static final String IQN = "iqn.2026-01.org.iscsilab:transport-test";

    private final IscsiTargetServer server;
    private final ScsiTargetDevice device;
    private final ExecutorService io;
    private final InetSocketAddress address;

    private TestTarget(IscsiTargetServer server, ScsiTargetDevice device, ExecutorService io)
            throws InterruptedException {
        this.server = server;
        this.device = device;
        this.io = io;
        this.address = server.start().get(0);
    }

    static TestTarget start(String... lunSpecs) throws IOException, InterruptedException {
        return start(TargetSettings.defaults(), lunSpecs);
    }

    static TestTarget start(TargetSettings settings, String... lunSpecs)
            throws IOException, InterruptedException {
        ExecutorService io =
                Executors.newFixedThreadPool(
                        2,
                        r -> {
                            Thread t = new Thread(r, "lun-io");
                            t.setDaemon(true);
                            return t;
                        });
        ScsiTargetDevice device = new ScsiTargetDevice(IQN);
        for (int i = 0; i < lunSpecs.length; i++) {
            device.addLogicalUnit(LunSpec.parse(lunSpecs[i]).create(i, IQN, io));
        }
        IscsiTargetServer server =
                new IscsiTargetServer(
                        settings, List.of(new InetSocketAddress("127.0.0.1", 0)), List.of(), 1);
        server.addTarget(new IscsiTarget(IQN, "transport-test", device));
        return new TestTarget(server, device, io);
    }

    InetSocketAddress address() {
        return address;
    }

    String iqn() {
        return IQN;
    }

    ScsiTargetDevice device() {
        return device;
    }

    void requireChap(ChapCredentials initiator, ChapCredentials mutual) {
        server.target(IQN).requireChap(initiator, mutual);
    }

    FaultRules faults() {
        return server.faults();
    }

    EventLog events() {
        return server.events();
    }

    IscsiTargetServer server() {
        return server;
    }

    List<TargetSession> sessions() {
        return new ArrayList<>(server.sessions().all());
    }

    @Override
    public void close() {
        server.shutdown(Duration.ofMillis(500));
        device.close();
        io.shutdownNow();
    }
}
