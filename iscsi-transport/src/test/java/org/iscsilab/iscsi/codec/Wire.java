package org.iscsilab.iscsi.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.iscsilab.iscsi.pdu.Pdu;

/** A PDU as the bytes on the wire, for tests that send or mangle them by hand. */
public final class Wire {
    private Wire() {}

    /** Encodes {@code pdu} (taking ownership of its data) with the given digests. */
    public static byte[] of(Pdu pdu, boolean headerDigest, boolean dataDigest) {
        List<Object> parts = new ArrayList<>();
        PduEncoder.encode(ByteBufAllocator.DEFAULT, pdu, headerDigest, dataDigest, parts);
        int length = parts.stream().mapToInt(p -> ((ByteBuf) p).readableBytes()).sum();
        byte[] out = new byte[length];
        int at = 0;
        for (Object o : parts) {
            ByteBuf b = (ByteBuf) o;
            int n = b.readableBytes();
            b.readBytes(out, at, n);
            at += n;
            b.release();
        }
        return out;
    }
}
