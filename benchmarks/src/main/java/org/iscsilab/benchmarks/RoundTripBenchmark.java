package org.iscsilab.benchmarks;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.iscsilab.core.LogicalUnits;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.lu.LogicalUnitIdentity;
import org.iscsilab.core.store.RamStore;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.iscsi.node.IscsiTarget;
import org.iscsilab.iscsi.node.IscsiTargetServer;
import org.iscsilab.iscsi.node.TargetSettings;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole path at depth 1: a 4 KiB READ(16), and a 4 KiB WRITE(16) whose data goes as immediate
 * data, from the Java initiator through loopback TCP to the target's RAM LUN and back, one command
 * at a time. The time per operation is a round trip (wake-ups included); with {@code -prof gc} the
 * heap bytes per operation are the initiator's and the target's together (both run here), so a
 * change on either side shows.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RoundTripBenchmark {
    private static final String IQN = "iqn.2026-01.org.iscsilab:bench";
    private ScsiTargetDevice device;
    private IscsiTargetServer server;
    private IscsiInitiator initiator;
    private InitiatorSession session;
    private final long lun = LunAddress.encode(0);
    private final byte[] data = new byte[4096];
    private long lba;

    @Setup
    public void setUp() throws Exception {
        device = new ScsiTargetDevice(IQN);
        device.addLogicalUnit(
                LogicalUnits.create(
                        0,
                        LogicalUnitIdentity.derive(IQN, 0),
                        new RamStore(64 << 20),
                        512,
                        false,
                        Runnable::run));
        server =
                new IscsiTargetServer(
                        TargetSettings.defaults(),
                        List.of(new InetSocketAddress("127.0.0.1", 0)),
                        List.of(),
                        1);
        server.addTarget(new IscsiTarget(IQN, "bench", device));
        InetSocketAddress at = server.start().get(0);
        initiator = new IscsiInitiator(1);
        session = initiator.login(at, InitiatorConfig.normal(IQN)).join();
        session.execute(lun, Cdbs.testUnitReady(), null, 0).join(); // the power-on UA
    }

    @TearDown
    public void tearDown() {
        initiator.close();
        server.close();
        device.close();
    }

    /** The next 4 KiB block of the first 64 MiB, so reads and writes walk the LUN. */
    private long nextLba() {
        lba = (lba + 8) % ((64 << 20) / 512);
        return lba;
    }

    @Benchmark
    public ScsiResult read4kDepth1() {
        return session.execute(lun, Cdbs.read16(nextLba(), 8), null, 4096).join();
    }

    @Benchmark
    public ScsiResult write4kDepth1() {
        return session.execute(lun, Cdbs.write16(nextLba(), 8, false), data, 0).join();
    }
}
