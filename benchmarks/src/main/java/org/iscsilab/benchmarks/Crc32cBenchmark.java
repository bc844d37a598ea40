package org.iscsilab.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.iscsilab.iscsi.codec.Crc32c;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CRC32C of iSCSI digests (RFC 7143 §13.1) over a header and over data segments, heap and direct.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Crc32cBenchmark {
    @Param({"48", "8192", "65536"})
    int length;

    @Param({"heap", "direct"})
    String memory;

    private ByteBuf buf;

    @Setup(Level.Trial)
    public void setUp() {
        buf =
                memory.equals("direct")
                        ? PooledByteBufAllocator.DEFAULT.directBuffer(length)
                        : PooledByteBufAllocator.DEFAULT.heapBuffer(length);
        byte[] bytes = new byte[length];
        ThreadLocalRandom.current().nextBytes(bytes);
        buf.writeBytes(bytes);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buf.release();
    }

    @Benchmark
    public int digest() {
        return Crc32c.of(buf, 0, length);
    }
}
