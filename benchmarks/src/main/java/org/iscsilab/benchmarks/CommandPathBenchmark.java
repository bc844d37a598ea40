package org.iscsilab.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.iscsilab.core.LogicalUnits;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.lu.DataInAllocator;
import org.iscsilab.core.lu.DataOutSource;
import org.iscsilab.core.lu.LogicalUnitIdentity;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.core.lu.TaskAttribute;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.store.RamStore;
import org.iscsilab.scsi.Cdb;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The command path below the transport: READ(10) and WRITE(10) of 4 KiB on a RAM LUN, from CDB to
 * outcome, with the transport's side as the iSCSI target gives it (data-in memory of its own,
 * reused here as a pool would; data-out handed over in pieces). With {@code -prof gc} it shows the
 * heap bytes the command path allocates per command.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CommandPathBenchmark {
    private static final ItNexus NEXUS =
            new ItNexus("iqn.2026-01.org.example:bench,i,0x1", "iqn.t,t,0x1");
    private ScsiTargetDevice device;
    private final Cdb read = Cdb.of(0x28, 0, 0, 0, 0x10, 0, 0, 0, 8, 0);
    private final Cdb write = Cdb.of(0x2A, 0, 0, 0, 0x10, 0, 0, 0, 8, 0);
    private final ByteBuffer data = ByteBuffer.allocateDirect(4096);
    private final ByteBuffer dataIn = ByteBuffer.allocateDirect(4096);
    private Transport source;

    /**
     * What the target's transport offers a task: data-out already received, pooled data-in memory.
     */
    private final class Transport implements DataOutSource, DataInAllocator {
        private final ByteBuffer[] pieces = {data};

        @Override
        public CompletableFuture<ByteBuffer> receive(int length) {
            return CompletableFuture.completedFuture(data.duplicate().limit(length));
        }

        @Override
        public CompletableFuture<ByteBuffer[]> receiveSegments(int length) {
            data.clear().limit(length);
            return CompletableFuture.completedFuture(pieces);
        }

        @Override
        public ByteBuffer allocateDataIn(int bytes) {
            return dataIn.clear().limit(bytes);
        }
    }

    @Setup
    public void setUp() {
        device = new ScsiTargetDevice("iqn.t");
        device.addLogicalUnit(
                LogicalUnits.create(
                        0,
                        LogicalUnitIdentity.derive("t", 0),
                        new RamStore(64 << 20),
                        512,
                        false,
                        Runnable::run));
        source = new Transport();
        device.execute(
                        new ScsiTask(
                                NEXUS,
                                0,
                                Cdb.of(0, 0, 0, 0, 0, 0),
                                1,
                                TaskAttribute.SIMPLE,
                                0,
                                DataOutSource.NONE))
                .join(); // the power-on unit attention
    }

    @Benchmark
    public ScsiOutcome read4k() {
        return device.execute(
                        new ScsiTask(NEXUS, 0, read, 2, TaskAttribute.SIMPLE, 4096, source, source))
                .join();
    }

    @Benchmark
    public ScsiOutcome write4k() {
        return device.execute(
                        new ScsiTask(
                                NEXUS, 0, write, 3, TaskAttribute.SIMPLE, 4096, source, source))
                .join();
    }
}
