package org.iscsilab.iscsi.codec;

import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import java.nio.channels.FileChannel;
import org.iscsilab.iscsi.pdu.Pdu;

/**
 * A PDU whose data segment is a region of a file, which the channel sends from the file (sendfile
 * with the epoll transport, FileChannel.transferTo with NIO) instead of from memory. The PDU itself
 * carries no data; the encoder sets DataSegmentLength to the region's length. Only for connections
 * without DataDigest: a digest would have to read the bytes after all.
 */
public record FileSegmentPdu(Pdu pdu, FileRegion region) {
    public FileSegmentPdu {
        if (pdu.data().isReadable()) {
            throw new IllegalArgumentException(
                    "the data segment is the file region; the PDU carries none");
        }
    }

    /**
     * {@code count} bytes of {@code file} from {@code position}; the file stays open afterwards.
     */
    public static FileRegion regionOf(FileChannel file, long position, long count) {
        return new SharedFileRegion(file, position, count);
    }

    /** Drops the PDU without sending it. */
    public void release() {
        pdu.release();
        region.release();
    }

    /**
     * A region of a file that belongs to someone else (a LUN's store): releasing the region must
     * not close the file, which DefaultFileRegion does. Netty's epoll transport sends any
     * DefaultFileRegion with sendfile(2).
     */
    private static final class SharedFileRegion extends DefaultFileRegion {
        SharedFileRegion(FileChannel file, long position, long count) {
            super(file, position, count);
        }

        @Override
        protected void deallocate() {
            // the store's channel stays open
        }
    }
}
