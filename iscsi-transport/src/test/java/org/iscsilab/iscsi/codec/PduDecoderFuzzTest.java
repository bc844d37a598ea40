package org.iscsilab.iscsi.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.iscsilab.iscsi.LeakWatch;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.LoginRequest;
import org.iscsilab.iscsi.pdu.LogoutRequest;
import org.iscsilab.iscsi.pdu.NopOut;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.iscsi.pdu.TextRequest;

/**
 * Random and mutated byte streams fed to the PDU decoder in random chunks: it frames PDUs, reports
 * a data digest error, or refuses the stream with a {@link PduFramingException}; it never throws
 * anything else, and it leaks no buffer (Netty's leak detector runs at paranoid level).
 */
class PduDecoderFuzzTest {
    @BeforeContainer
    static void watchLeaks() {
        LeakWatch.install();
    }

    @AfterContainer
    static void noLeaks() {
        LeakWatch.assertNoLeaks();
    }

    /** Valid PDUs an initiator sends, the seeds the mutations start from. */
    private static List<Pdu> seeds() {
        byte[] read10 = {0x28, 0, 0, 0, 0, 8, 0, 0, 8, 0};
        byte[] cdb32 = new byte[32];
        cdb32[0] = 0x7F;
        cdb32[7] = 0x18;
        return List.of(
                new LoginRequest(
                        true,
                        false,
                        1,
                        3,
                        0,
                        0,
                        0x23d000001L,
                        0,
                        1,
                        0,
                        1,
                        0,
                        text(
                                "InitiatorName=iqn.2026-01.org.example:fuzz\0SessionType=Normal\0TargetName=iqn.t\0"
                                        + "HeaderDigest=CRC32C,None\0MaxRecvDataSegmentLength=8192\0")),
                new ScsiCommand(
                        false,
                        true,
                        true,
                        false,
                        1,
                        0,
                        7,
                        4096,
                        2,
                        1,
                        read10,
                        Unpooled.EMPTY_BUFFER),
                new ScsiCommand(
                        false,
                        true,
                        false,
                        true,
                        1,
                        0,
                        8,
                        1024,
                        3,
                        1,
                        new byte[] {0x2A, 0, 0, 0, 0, 0, 0, 0, 2, 0},
                        Unpooled.wrappedBuffer(new byte[512])),
                new ScsiCommand(
                        false, true, true, false, 1, 0, 9, 512, 4, 1, cdb32, Unpooled.EMPTY_BUFFER),
                new DataOut(true, 0, 8, 0x100, 1, 0, 512, Unpooled.wrappedBuffer(new byte[509])),
                new NopOut(true, 0, 10, -1, 5, 1, text("ping")),
                new TextRequest(false, true, false, 0, 11, -1, 5, 1, text("SendTargets=All\0")),
                new LogoutRequest(false, LogoutRequest.CLOSE_SESSION, 12, 0, 6, 1));
    }

    /** Seed {@code i}, freshly built (encoding takes ownership of a PDU's data). */
    private static Pdu seed(int i) {
        List<Pdu> all = seeds();
        for (int j = 0; j < all.size(); j++) {
            if (j != i) {
                all.get(j).release();
            }
        }
        return all.get(i);
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    private static byte[] wire(Pdu pdu, boolean hd, boolean dd) {
        return Wire.of(pdu, hd, dd);
    }

    /** A stream of 1 to 4 seed PDUs, some bytes flipped, maybe cut short or followed by noise. */
    @Provide
    Arbitrary<byte[]> mutatedStreams() {
        Arbitrary<List<Integer>> picks =
                Arbitraries.integers()
                        .between(0, seeds().size() - 1)
                        .list()
                        .ofMinSize(1)
                        .ofMaxSize(4);
        Arbitrary<List<Integer>> flips =
                Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMaxSize(6);
        Arbitrary<Integer> cut = Arbitraries.integers().between(0, 100);
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<Boolean> digests = Arbitraries.of(true, false);
        return Combinators.combine(picks, flips, cut, noise, digests)
                .as(
                        (p, f, c, n, d) -> {
                            ByteBuf stream = Unpooled.buffer();
                            for (int i : p) {
                                stream.writeBytes(wire(seed(i), d, d));
                            }
                            byte[] b = new byte[stream.readableBytes()];
                            stream.readBytes(b);
                            stream.release();
                            for (int at : f) {
                                int pos = at % b.length;
                                b[pos] ^=
                                        (byte) (1 + (at >>> 24) % 255); // fields, lengths, opcodes,
                                // digests
                            }
                            int keep = c < 80 ? b.length : b.length * (c - 80) / 20;
                            byte[] out = new byte[keep + n.length];
                            System.arraycopy(b, 0, out, 0, keep);
                            System.arraycopy(n, 0, out, keep, n.length);
                            return out;
                        });
    }

    @Provide
    Arbitrary<byte[]> randomStreams() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(700);
    }

    @Property(tries = 3000)
    void mutatedPdusAreFramedOrRefusedNeverCrash(
            @ForAll("mutatedStreams") byte[] stream,
            @ForAll boolean digests,
            @ForAll @IntRange(min = 1, max = 97) int chunk) {
        decode(stream, digests, chunk);
    }

    @Property(tries = 2000)
    void randomBytesAreFramedOrRefusedNeverCrash(
            @ForAll("randomStreams") byte[] stream,
            @ForAll boolean digests,
            @ForAll @IntRange(min = 1, max = 97) int chunk) {
        decode(stream, digests, chunk);
    }

    /**
     * Feeds {@code stream} in chunks; every PDU out is released, a framing error ends the stream.
     */
    private static void decode(byte[] stream, boolean digests, int chunk) {
        DigestSettings settings = new DigestSettings(8192);
        settings.enableDigests(digests, digests);
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(settings));
        try {
            for (int at = 0; at < stream.length; at += chunk) {
                ByteBuf piece = ch.alloc().buffer(chunk);
                piece.writeBytes(stream, at, Math.min(chunk, stream.length - at));
                boolean refused = false;
                try {
                    ch.writeInbound(piece);
                } catch (PduFramingException e) {
                    refused = true; // the connection is dropped here, after the PDUs framed before
                }
                releaseDecoded(ch);
                if (refused) {
                    return;
                }
            }
        } finally {
            try {
                ch.finish(); // end of stream: what is left is decoded one last time
            } catch (PduFramingException e) {
                // refused at the end of the stream: the same as anywhere else
            }
            releaseDecoded(ch);
        }
    }

    /** PDUs are not reference counted themselves: their data buffers are released here. */
    private static void releaseDecoded(EmbeddedChannel ch) {
        for (Object o; (o = ch.readInbound()) != null; ) {
            if (o instanceof DataDigestError e) {
                assertEquals(Pdu.BHS_LENGTH, e.header().readableBytes());
                e.header().release();
            } else {
                assertTrue(o instanceof Pdu, "decoded " + o);
                ((Pdu) o).release();
            }
        }
    }
}
