package org.iscsilab.iscsi.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.UnknownPdu;

/**
 * Lays a PDU out on the wire (RFC 7143 §11.2): header (BHS + AHS + header digest) in a small pooled
 * buffer, then the data segment itself (not copied), then padding and data digest. A {@link
 * FileSegmentPdu}'s data segment is its file region, passed on for the channel to send from the
 * file.
 *
 * <p>One instance per connection: it holds that connection's negotiated digests, so it is not
 * {@code @Sharable}.
 */
public final class PduEncoder extends MessageToMessageEncoder<Object> {
    private final DigestSettings settings;

    public PduEncoder(DigestSettings settings) {
        super(Object.class);
        this.settings = settings;
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof Pdu
                || msg instanceof FileSegmentPdu
                || msg instanceof SpoiledDataDigest;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) {
        if (msg instanceof FileSegmentPdu f) {
            encode(ctx.alloc(), f, settings.headerDigest(), settings.dataDigest(), out);
        } else if (msg instanceof SpoiledDataDigest s) {
            encode(ctx.alloc(), s.pdu(), settings.headerDigest(), settings.dataDigest(), out);
            if (settings.dataDigest() && out.size() >= 3) {
                ByteBuf tail = (ByteBuf) out.get(out.size() - 1); // padding, then the digest
                int last = tail.writerIndex() - 1;
                tail.setByte(last, tail.getByte(last) ^ 0x5A);
            }
        } else {
            encode(ctx.alloc(), (Pdu) msg, settings.headerDigest(), settings.dataDigest(), out);
        }
    }

    /**
     * The header, then the file region itself, then padding; a data digest cannot be had without
     * reading.
     */
    static void encode(
            ByteBufAllocator alloc,
            FileSegmentPdu f,
            boolean headerDigest,
            boolean dataDigest,
            List<Object> out) {
        if (dataDigest) {
            f.release();
            throw new IllegalStateException("a PDU sent from a file cannot carry a data digest");
        }
        int dataLength = (int) f.region().count();
        out.add(header(alloc, f.pdu(), dataLength, headerDigest));
        f.pdu().release();
        out.add(f.region());
        int padding = (4 - (dataLength & 3)) & 3;
        if (padding > 0) {
            out.add(alloc.buffer(padding).writeZero(padding));
        }
    }

    /**
     * Encodes into one or more buffers appended to {@code out}; takes ownership of the PDU's data.
     */
    public static void encode(
            ByteBufAllocator alloc,
            Pdu pdu,
            boolean headerDigest,
            boolean dataDigest,
            List<Object> out) {
        ByteBuf data = pdu.data();
        int dataLength = data.readableBytes();
        ByteBuf head = header(alloc, pdu, dataLength, headerDigest);
        int padding = (4 - (dataLength & 3)) & 3;
        if (dataLength == 0) {
            data.release();
            out.add(head);
            return;
        }
        out.add(head);
        out.add(data);
        if (padding > 0 || dataDigest) {
            ByteBuf tail = alloc.buffer(8);
            tail.writeZero(padding);
            if (dataDigest) {
                tail.writeIntLE(Crc32c.ofPadded(data, data.readerIndex(), dataLength, padding));
            }
            out.add(tail);
        }
    }

    /** BHS, AHS and header digest of a PDU whose data segment is {@code dataLength} bytes. */
    private static ByteBuf header(
            ByteBufAllocator alloc, Pdu pdu, int dataLength, boolean headerDigest) {
        ByteBuf ahs = pdu.ahs();
        int ahsLength = ahs.readableBytes();
        ByteBuf head = basicHeaderSegment(alloc, pdu, dataLength, ahsLength + 4);
        head.writeBytes(ahs, ahs.readerIndex(), ahsLength);
        if (headerDigest) {
            head.writeIntLE(Crc32c.of(head, 0, head.writerIndex()));
        }
        return head;
    }

    /**
     * The 48-byte Basic Header Segment of a PDU as it goes on the wire (RFC 7143 §11.2.1): the
     * PDU's own fields, its opcode and immediate bit, TotalAHSLength and DataSegmentLength. The
     * buffer has room for {@code extra} bytes more (AHS, digest); a Reject carries it as its data.
     */
    public static ByteBuf basicHeaderSegment(
            ByteBufAllocator alloc, Pdu pdu, int dataLength, int extra) {
        int ahsLength = pdu.ahs().readableBytes();
        if ((ahsLength & 3) != 0) {
            throw new IllegalArgumentException("AHS must be a multiple of 4 bytes");
        }
        ByteBuf head = alloc.buffer(Pdu.BHS_LENGTH + extra);
        head.writeZero(Pdu.BHS_LENGTH);
        pdu.writeBhs(head);
        if (!(pdu instanceof UnknownPdu)) {
            head.setByte(0, (pdu.immediate() ? 0x40 : 0) | pdu.opcode().code());
        }
        head.setByte(4, ahsLength / 4);
        head.setMedium(5, dataLength);
        return head;
    }
}
