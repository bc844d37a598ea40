package org.iscsilab.iscsi.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.UnknownPdu;

/**
 * Lays a PDU out on the wire (RFC 7143 §11.2): header (BHS + AHS + header digest) in a small
 * pooled buffer, then the data segment itself (not copied), then padding and data digest.
 */
@ChannelHandler.Sharable
public final class PduEncoder extends MessageToMessageEncoder<Pdu> {
    private final DigestSettings settings;

    public PduEncoder(DigestSettings settings) {
        super(Pdu.class);
        this.settings = settings;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Pdu pdu, List<Object> out) {
        encode(ctx.alloc(), pdu, settings.headerDigest(), settings.dataDigest(), out);
    }

    /** Encodes into one or more buffers appended to {@code out}; takes ownership of the PDU's data. */
    public static void encode(io.netty.buffer.ByteBufAllocator alloc, Pdu pdu, boolean headerDigest,
                              boolean dataDigest, List<Object> out) {
        ByteBuf ahs = pdu.ahs();
        ByteBuf data = pdu.data();
        int ahsLength = ahs.readableBytes();
        int dataLength = data.readableBytes();
        if ((ahsLength & 3) != 0) {
            throw new IllegalArgumentException("AHS must be a multiple of 4 bytes");
        }
        ByteBuf head = alloc.buffer(Pdu.BHS_LENGTH + ahsLength + 4);
        head.writeZero(Pdu.BHS_LENGTH);
        pdu.writeBhs(head);
        if (!(pdu instanceof UnknownPdu)) {
            head.setByte(0, (pdu.immediate() ? 0x40 : 0) | pdu.opcode().code());
        }
        head.setByte(4, ahsLength / 4);
        head.setMedium(5, dataLength);
        head.writeBytes(ahs, ahs.readerIndex(), ahsLength);
        if (headerDigest) {
            head.writeIntLE(Crc32c.of(head, 0, head.writerIndex()));
        }
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
}
