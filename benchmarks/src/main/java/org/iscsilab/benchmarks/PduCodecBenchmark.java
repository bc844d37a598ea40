package org.iscsilab.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.iscsilab.iscsi.codec.DigestSettings;
import org.iscsilab.iscsi.codec.PduDecoder;
import org.iscsilab.iscsi.codec.PduEncoder;
import org.iscsilab.iscsi.pdu.DataIn;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ScsiCommand;
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
 * The PDU codec: encoding and decoding a SCSI Command (header only) and a Data-In with an 8 KiB
 * segment, with and without CRC32C digests, through the real Netty handlers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PduCodecBenchmark {
    @Param({"false", "true"})
    boolean digests;

    private EmbeddedChannel encoder;
    private EmbeddedChannel decoder;
    private final byte[] cdb = {0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0};
    private ByteBuf payload;
    private ByteBuf encodedCommand;
    private ByteBuf encodedDataIn;

    @Setup(Level.Trial)
    public void setUp() {
        DigestSettings out = new DigestSettings(1 << 20);
        DigestSettings in = new DigestSettings(1 << 20);
        out.enableDigests(digests, digests);
        in.enableDigests(digests, digests);
        encoder = new EmbeddedChannel(new PduEncoder(out));
        decoder = new EmbeddedChannel(new PduDecoder(in));
        payload = Unpooled.directBuffer(8192).writeZero(8192);
        encodedCommand = encodeOnce(command());
        encodedDataIn = encodeOnce(dataIn());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        payload.release();
        encodedCommand.release();
        encodedDataIn.release();
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }

    private ScsiCommand command() {
        return new ScsiCommand(
                false, true, true, false, 1, 0, 7, 4096, 11, 3, cdb, Unpooled.EMPTY_BUFFER);
    }

    private DataIn dataIn() {
        return new DataIn(
                true,
                false,
                false,
                false,
                false,
                0,
                0,
                7,
                -1,
                3,
                11,
                42,
                0,
                0,
                0,
                payload.retainedSlice());
    }

    private ByteBuf encodeOnce(Pdu pdu) {
        encoder.writeOutbound(pdu);
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b; (b = encoder.readOutbound()) != null; ) {
            all.writeBytes(b);
            b.release();
        }
        return all;
    }

    @Benchmark
    public int encodeScsiCommand() {
        return drain(command());
    }

    @Benchmark
    public int encodeDataIn8k() {
        return drain(dataIn());
    }

    private int drain(Pdu pdu) {
        encoder.writeOutbound(pdu);
        int n = 0;
        for (ByteBuf b; (b = encoder.readOutbound()) != null; ) {
            n += b.readableBytes();
            b.release();
        }
        return n;
    }

    @Benchmark
    public Object decodeScsiCommand() {
        return decode(encodedCommand);
    }

    @Benchmark
    public Object decodeDataIn8k() {
        return decode(encodedDataIn);
    }

    private Object decode(ByteBuf wire) {
        decoder.writeInbound(wire.retainedDuplicate());
        Pdu p = decoder.readInbound();
        p.release();
        return p;
    }
}
