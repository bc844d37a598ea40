package org.iscsilab.iscsi.codec;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * iSCSI header and data digests: CRC32C (RFC 7143 §13.1, RFC 3720 appendix B.4) with the JDK's
 * intrinsic implementation. The digest goes on the wire least significant byte first.
 */
public final class Crc32c {
    private Crc32c() {}

    public static int of(ByteBuf buf, int index, int length) {
        CRC32C crc = new CRC32C();
        update(crc, buf, index, length);
        return (int) crc.getValue();
    }

    public static void update(CRC32C crc, ByteBuf buf, int index, int length) {
        if (length == 0) {
            return;
        }
        if (buf.nioBufferCount() == 1) {
            crc.update(buf.nioBuffer(index, length));
        } else {
            for (ByteBuffer b : buf.nioBuffers(index, length)) {
                crc.update(b);
            }
        }
    }

    /** Data digest: covers the data segment and its padding (RFC 7143 §11.2.3). */
    public static int ofPadded(ByteBuf data, int index, int length, int padding) {
        CRC32C crc = new CRC32C();
        update(crc, data, index, length);
        if (padding > 0) {
            crc.update(new byte[padding], 0, padding);
        }
        return (int) crc.getValue();
    }
}
