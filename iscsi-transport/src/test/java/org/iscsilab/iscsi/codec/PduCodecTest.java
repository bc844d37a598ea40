package org.iscsilab.iscsi.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.iscsilab.iscsi.pdu.AsyncMessage;
import org.iscsilab.iscsi.pdu.DataIn;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.LoginRequest;
import org.iscsilab.iscsi.pdu.LoginResponse;
import org.iscsilab.iscsi.pdu.LogoutRequest;
import org.iscsilab.iscsi.pdu.LogoutResponse;
import org.iscsilab.iscsi.pdu.NopIn;
import org.iscsilab.iscsi.pdu.NopOut;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ReadyToTransfer;
import org.iscsilab.iscsi.pdu.Reject;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.iscsi.pdu.ScsiResponse;
import org.iscsilab.iscsi.pdu.SnackRequest;
import org.iscsilab.iscsi.pdu.TaskManagementRequest;
import org.iscsilab.iscsi.pdu.TaskManagementResponse;
import org.iscsilab.iscsi.pdu.TextRequest;
import org.iscsilab.iscsi.pdu.TextResponse;
import org.iscsilab.iscsi.pdu.UnknownPdu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The PDU codec: every PDU type survives encode/decode, with and without digests, however TCP
 * splits it.
 */
class PduCodecTest {

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    /** One PDU of every type RFC 7143 defines, with unusual field values and odd data lengths. */
    static Stream<Pdu> everyPduType() {
        byte[] cdb32 = new byte[32];
        for (int i = 0; i < cdb32.length; i++) {
            cdb32[i] = (byte) (i + 1);
        }
        byte[] cdb10 = new byte[16];
        cdb10[0] = 0x28;
        cdb10[8] = 1;
        return Stream.of(
                new NopOut(true, 0x0001_0000_0000_0000L, 0x11, 0xFFFFFFFF, 7, 8, text("ping!")),
                new ScsiCommand(
                        false,
                        true,
                        true,
                        false,
                        1,
                        0,
                        0x1234,
                        512,
                        0xFFFFFFF0,
                        3,
                        cdb10,
                        Unpooled.EMPTY_BUFFER),
                new ScsiCommand(
                        false,
                        false,
                        false,
                        true,
                        2,
                        0x0002_0000_0000_0000L,
                        9,
                        4096,
                        5,
                        6,
                        cdb32,
                        text("abc")),
                new TaskManagementRequest(
                        true, TaskManagementRequest.ABORT_TASK, 0, 3, 4, 5, 6, 7, 8),
                new LoginRequest(
                        true,
                        false,
                        1,
                        3,
                        0,
                        0,
                        0x0000_8000_1234_5678L,
                        0x22,
                        0x33,
                        1,
                        44,
                        55,
                        text("InitiatorName=iqn.2026-01.org.example:i\0")),
                new TextRequest(
                        false, true, false, 0, 1, 0xFFFFFFFF, 2, 3, text("SendTargets=All\0")),
                new DataOut(true, 0, 5, 6, 7, 8, 8192, text("x".repeat(513))),
                new LogoutRequest(true, LogoutRequest.CLOSE_CONNECTION, 9, 2, 10, 11),
                new SnackRequest(1, 0, 2, 3, 4, 5, 6),
                new NopIn(0, 0xFFFFFFFF, 0x77, 1, 2, 3, Unpooled.EMPTY_BUFFER),
                new ScsiResponse(
                        false,
                        false,
                        false,
                        true,
                        0,
                        2,
                        5,
                        0,
                        6,
                        7,
                        8,
                        9,
                        0,
                        200,
                        Unpooled.wrappedBuffer(new byte[] {0, 18, 0x70, 0, 5})),
                new TaskManagementResponse(TaskManagementResponse.TASK_DOES_NOT_EXIST, 1, 2, 3, 4),
                new LoginResponse(
                        true,
                        false,
                        1,
                        3,
                        0,
                        0,
                        0x0000_8000_1234_5678L,
                        0x22,
                        0x33,
                        4,
                        5,
                        6,
                        0,
                        0,
                        text("TargetPortalGroupTag=1\0")),
                new TextResponse(
                        true, false, 0, 1, 0xFFFFFFFF, 2, 3, 4, text("TargetName=iqn.x\0")),
                new DataIn(
                        true,
                        false,
                        true,
                        false,
                        true,
                        0,
                        0,
                        3,
                        0xFFFFFFFF,
                        4,
                        5,
                        6,
                        7,
                        1024,
                        512,
                        text("data-in!!")),
                new LogoutResponse(0, 1, 2, 3, 4, 2, 20),
                new ReadyToTransfer(0, 1, 2, 3, 4, 5, 6, 65536, 262144),
                new AsyncMessage(
                        0,
                        1,
                        2,
                        3,
                        AsyncMessage.LOGOUT_REQUESTED,
                        0,
                        0,
                        0,
                        5,
                        Unpooled.EMPTY_BUFFER),
                new Reject(
                        Reject.PROTOCOL_ERROR, 1, 2, 3, 0, Unpooled.wrappedBuffer(new byte[48])));
    }

    private static ByteBuf encode(Pdu pdu, boolean hd, boolean dd) {
        List<Object> parts = new ArrayList<>();
        PduEncoder.encode(ByteBufAllocator.DEFAULT, pdu, hd, dd, parts);
        CompositeByteBuf all = Unpooled.compositeBuffer();
        for (Object o : parts) {
            all.addComponent(true, (ByteBuf) o);
        }
        return all;
    }

    private static Pdu copyOf(Pdu pdu) {
        // the encoder takes ownership of the data; keep an equal copy to compare with
        ByteBuf encoded = encode(retainData(pdu), false, false);
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(new DigestSettings(1 << 24)));
        ch.writeInbound(encoded);
        return ch.readInbound();
    }

    private static Pdu retainData(Pdu pdu) {
        pdu.data().retain();
        return pdu;
    }

    @ParameterizedTest
    @MethodSource("everyPduType")
    void roundTripsWithoutDigests(Pdu pdu) {
        assertRoundTrip(pdu, false, false);
    }

    @ParameterizedTest
    @MethodSource("everyPduType")
    void roundTripsWithHeaderAndDataDigests(Pdu pdu) {
        assertRoundTrip(pdu, true, true);
    }

    private static void assertRoundTrip(Pdu pdu, boolean hd, boolean dd) {
        Pdu expected = copyOf(pdu);
        DigestSettings settings = new DigestSettings(1 << 24);
        settings.enableDigests(hd, dd);
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(settings));
        ByteBuf wire = encode(pdu, hd, dd);
        int dataLength = expected.data().readableBytes();
        int padded = (dataLength + 3) & ~3;
        int ahs = expected.ahs().readableBytes();
        assertEquals(
                48 + ahs + (hd ? 4 : 0) + padded + (dd && dataLength > 0 ? 4 : 0),
                wire.readableBytes(),
                "wire length: BHS + AHS + digests + data padded to 4 bytes");
        ch.writeInbound(wire);
        Pdu decoded = ch.readInbound();
        assertEquals(expected, decoded);
        assertNull(ch.readInbound());
        decoded.release();
        expected.release();
    }

    @Test
    void aPduSplitAtEveryByteOffsetDecodesTheSame() {
        for (Pdu pdu : everyPduType().toList()) {
            Pdu expected = copyOf(pdu);
            ByteBuf wire = encode(pdu, true, true);
            byte[] bytes = new byte[wire.readableBytes()];
            wire.readBytes(bytes);
            wire.release();
            for (int cut = 1; cut < bytes.length; cut++) {
                DigestSettings s = new DigestSettings(1 << 24);
                s.enableDigests(true, true);
                EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(s));
                ch.writeInbound(Unpooled.copiedBuffer(bytes, 0, cut));
                assertNull(ch.readInbound(), "nothing decodes from a partial PDU");
                ch.writeInbound(Unpooled.copiedBuffer(bytes, cut, bytes.length - cut));
                Pdu decoded = ch.readInbound();
                assertEquals(
                        expected, decoded, "split at byte " + cut + " of " + expected.opcode());
                decoded.release();
            }
            expected.release();
        }
    }

    @Test
    void twoPdusInOneReadDecodeAsTwo() {
        CompositeByteBuf both = Unpooled.compositeBuffer();
        both.addComponent(true, encode(new NopOut(true, 0, 1, -1, 1, 1, text("a")), false, false));
        both.addComponent(true, encode(new NopOut(true, 0, 2, -1, 1, 1, text("bb")), false, false));
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(new DigestSettings(8192)));
        ch.writeInbound(both);
        NopOut first = ch.readInbound();
        NopOut second = ch.readInbound();
        assertEquals(1, first.initiatorTaskTag());
        assertEquals(2, second.initiatorTaskTag());
        first.release();
        second.release();
    }

    @Test
    void theDataSegmentIsASliceOfTheReceivedBytesNotACopy() {
        ByteBuf wire = encode(new DataOut(true, 0, 1, 2, 3, 0, 0, text("zero-copy")), false, false);
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(new DigestSettings(8192)));
        ch.writeInbound(wire);
        DataOut d = ch.readInbound();
        assertTrue(d.data().unwrap() != null, "data segment is a derived (sliced) buffer");
        assertEquals("zero-copy", d.data().toString(StandardCharsets.UTF_8));
        d.release();
    }

    /**
     * A large data segment (64 KiB and more) that spans reads, while the data of the PDU before it
     * is still held (a file LUN writing it on another thread), is made of the received buffers
     * themselves: nothing is copied into a cumulation on the event loop.
     */
    @Test
    void aLargeDataSegmentAcrossReadsIsAViewOfTheReceivedBuffersWhileEarlierDataIsHeld() {
        int length = PduDecoder.COMPOSITE_FROM;
        DataOut spanning = straddling(length, 1000);
        assertEquals("x".repeat(length), spanning.data().toString(StandardCharsets.UTF_8));
        assertTrue(spanning.data().nioBufferCount() > 1, "one NIO buffer per read it spans");
        // a byte changed in the received buffer shows in the data segment: the same memory
        lastRead.setByte(lastRead.writerIndex() - 1, 'y');
        assertEquals('y', spanning.data().getByte(spanning.data().readableBytes() - 1));
        spanning.release();
        lastRead.release();
    }

    /** A small PDU that spans reads is merged into one buffer: cheaper to read than a composite. */
    @Test
    void aSmallDataSegmentAcrossReadsIsMergedIntoOneBuffer() {
        DataOut spanning = straddling(3000, 1000);
        assertEquals("x".repeat(3000), spanning.data().toString(StandardCharsets.UTF_8));
        assertEquals(1, spanning.data().nioBufferCount());
        spanning.release();
        lastRead.release();
    }

    private ByteBuf lastRead;

    /**
     * Decodes a Data-Out with 4 bytes of data (held), then one with {@code length} bytes of data
     * whose segment is cut {@code cut} bytes in, across two reads; returns the second.
     */
    private DataOut straddling(int length, int cut) {
        byte[] first = Wire.of(new DataOut(true, 0, 1, 2, 3, 0, 0, text("held")), false, false);
        byte[] second =
                Wire.of(
                        new DataOut(true, 0, 1, 2, 3, 1, 4, text("x".repeat(length))),
                        false,
                        false);
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(new DigestSettings(262144)));
        int at = first.length + cut;
        byte[] all = new byte[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        ByteBuf read1 = Unpooled.directBuffer(at).writeBytes(all, 0, at);
        ByteBuf read2 = Unpooled.directBuffer(all.length - at).writeBytes(all, at, all.length - at);
        ch.writeInbound(read1.retain());
        DataOut held = ch.readInbound();
        ch.writeInbound(read2.retain());
        DataOut spanning = ch.readInbound();
        held.release();
        read1.release();
        lastRead = read2;
        return spanning;
    }

    @Test
    void aBadHeaderDigestCannotBeFramedAndFailsTheConnection() {
        ByteBuf wire = encode(new NopOut(true, 0, 1, -1, 1, 1, Unpooled.EMPTY_BUFFER), true, false);
        wire.setByte(20, wire.getByte(20) ^ 0x01); // corrupt a header byte
        DigestSettings s = new DigestSettings(8192);
        s.enableDigests(true, false);
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(s));
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(wire));
        assertInstanceOf(PduFramingException.class, e);
        assertTrue(e.getMessage().contains("header digest"));
    }

    @Test
    void aBadDataDigestYieldsADataDigestErrorWithTheHeader() {
        ByteBuf wire = encode(new DataOut(true, 0, 0x42, 2, 3, 0, 0, text("payload")), false, true);
        wire.setByte(50, wire.getByte(50) ^ 0x01); // corrupt a data byte
        DigestSettings s = new DigestSettings(8192);
        s.enableDigests(false, true);
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(s));
        ch.writeInbound(wire);
        DataDigestError err = ch.readInbound();
        assertEquals(0x42, err.initiatorTaskTag());
        assertEquals(0x05, err.opcodeCode());
        err.header().release();
    }

    @Test
    void aDataSegmentLongerThanMaxRecvDataSegmentLengthIsAFramingError() {
        ByteBuf wire =
                encode(
                        new DataOut(true, 0, 1, 2, 3, 0, 0, Unpooled.wrappedBuffer(new byte[1024])),
                        false,
                        false);
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(new DigestSettings(512)));
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(wire));
        assertTrue(e.getMessage().contains("MaxRecvDataSegmentLength"));
    }

    @Test
    void anUndefinedOpcodeDecodesAsUnknownForAReject() {
        ByteBuf wire = Unpooled.buffer(48);
        wire.writeZero(48);
        wire.setByte(0, 0x1C);
        wire.setInt(16, 0x99);
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(new DigestSettings(8192)));
        ch.writeInbound(wire);
        UnknownPdu u = ch.readInbound();
        assertEquals(0x1C, u.opcodeCode());
        assertEquals(0x99, u.initiatorTaskTag());
        u.release();
    }

    @Test
    void aLongCdbTravelsInAnExtendedCdbAhs() {
        byte[] cdb = new byte[32];
        cdb[0] = 0x7F;
        cdb[31] = 0x55;
        ScsiCommand c =
                new ScsiCommand(
                        false, true, false, false, 1, 0, 1, 0, 1, 1, cdb, Unpooled.EMPTY_BUFFER);
        ByteBuf wire = encode(c, false, false);
        assertEquals(
                5,
                wire.getUnsignedByte(4),
                "TotalAHSLength in 4-byte words: 3 + 17 bytes padded to 20");
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(new DigestSettings(8192)));
        ch.writeInbound(wire);
        ScsiCommand back = ch.readInbound();
        assertEquals(32, back.cdb().length);
        assertEquals(0x55, back.cdb()[31]);
    }
}
