package org.iscsilab.core.lu;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Where a command's data-out comes from. The transport delivers the first {@code length} bytes the
 * initiator sends (soliciting them as its protocol requires, e.g. iSCSI R2T). The buffer stays
 * valid until the command completes; the transport owns and frees it.
 */
@FunctionalInterface
public interface DataOutSource {
    CompletableFuture<ByteBuffer> receive(int length);

    /**
     * The same bytes as {@link #receive}, as segments in order that together are {@code length}
     * bytes long: a transport that received them in several pieces hands those over instead of
     * copying them into one buffer. The segments stay valid until the command completes.
     */
    default CompletableFuture<ByteBuffer[]> receiveSegments(int length) {
        return receive(length).thenApply(b -> new ByteBuffer[] {b});
    }

    DataOutSource NONE =
            length ->
                    CompletableFuture.failedFuture(
                            new IllegalStateException("command carries no data-out"));
}
