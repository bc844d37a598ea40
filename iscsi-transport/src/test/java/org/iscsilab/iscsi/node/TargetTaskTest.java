package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.junit.jupiter.api.Test;

/**
 * How a target task gathers a write's data-out (RFC 7143 §4.2.4): immediate data, unsolicited
 * Data-Out up to FirstBurstLength, then R2T bursts; handed to the logical unit as one buffer or,
 * without a copy, as the received pieces in offset order.
 */
class TargetTaskTest {
    private static final int ITT = 7;

    /**
     * ImmediateData=Yes, InitialR2T=No, FirstBurstLength 8 KiB, MaxBurstLength 8 KiB, 2 R2Ts
     * outstanding.
     */
    private static final SessionParameters PARAMS =
            new SessionParameters(
                    false, false, 1, false, true, 8192, 8192, 8192, 8192, 2, 20, 2, true, true, 0);

    private final List<int[]> r2ts = new ArrayList<>(); // {ttt, offset, length}
    private final List<ByteBuf> sent = new ArrayList<>();

    private TargetTask writeTask(byte[] all, int immediate) {
        ByteBuf imm = piece(all, 0, immediate);
        ScsiCommand cmd =
                new ScsiCommand(
                        false,
                        false,
                        false,
                        true,
                        1,
                        0,
                        ITT,
                        all.length,
                        1,
                        1,
                        new byte[] {0x2a, 0, 0, 0, 0, 0, 0, 0, (byte) (all.length / 512), 0},
                        imm);
        return new TargetTask(
                cmd,
                null,
                PARAMS,
                (task, r2tSn, offset, length) -> {
                    int ttt = 100 + r2ts.size();
                    r2ts.add(new int[] {ttt, offset, length});
                    return ttt;
                },
                t -> {},
                UnpooledByteBufAllocator.DEFAULT);
    }

    private ByteBuf piece(byte[] all, int offset, int length) {
        ByteBuf b = Unpooled.directBuffer(length).writeBytes(all, offset, length);
        sent.add(b);
        return b;
    }

    private DataOut dataOut(byte[] all, int ttt, int dataSn, int offset, int length, boolean fin) {
        return new DataOut(fin, 0, ITT, ttt, 1, dataSn, offset, piece(all, offset, length));
    }

    private static byte[] pattern(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + i / 512);
        }
        return b;
    }

    private static byte[] concat(ByteBuffer[] segments) {
        int n = 0;
        for (ByteBuffer s : segments) {
            n += s.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(n);
        for (ByteBuffer s : segments) {
            all.put(s.duplicate());
        }
        return all.array();
    }

    @Test
    void dataFromImmediateUnsolicitedAndSolicitedPdusIsHandedOverAsTheReceivedPiecesInOrder()
            throws Exception {
        byte[] all = pattern(24576);
        TargetTask task = writeTask(all, 4096);
        // unsolicited Data-Out finishes the first burst before the logical unit asks
        assertNull(task.onDataOut(dataOut(all, Pdu.RESERVED_TAG, 0, 4096, 4096, true)));
        CompletableFuture<ByteBuffer[]> f = task.receiveSegments(all.length);
        assertEquals(2, r2ts.size(), "the rest is solicited, MaxOutstandingR2T at a time");
        assertEquals(8192, r2ts.get(0)[1]);
        assertEquals(16384, r2ts.get(1)[1]);
        // the second burst is answered first
        assertNull(task.onDataOut(dataOut(all, r2ts.get(1)[0], 0, 16384, 8192, true)));
        assertNull(task.onDataOut(dataOut(all, r2ts.get(0)[0], 0, 8192, 4096, false)));
        assertTrue(!f.isDone());
        assertNull(task.onDataOut(dataOut(all, r2ts.get(0)[0], 1, 12288, 4096, true)));

        ByteBuffer[] segments = f.get();
        assertEquals(5, segments.length, "one segment per PDU, none merged by copying");
        assertArrayEquals(all, concat(segments));
        sent.get(0)
                .setByte(0, all[0] + 1); // the immediate data's bytes: the segment is that memory
        assertEquals((byte) (all[0] + 1), segments[0].get(segments[0].position()));
        task.release();
        sent.forEach(
                b -> assertEquals(0, b.refCnt(), "every received buffer is freed with the task"));
    }

    @Test
    void theContiguousFormCarriesTheSameBytes() throws Exception {
        byte[] all = pattern(16384);
        TargetTask task = writeTask(all, 8192);
        CompletableFuture<ByteBuffer> f = task.receive(all.length);
        assertNull(task.onDataOut(dataOut(all, r2ts.get(0)[0], 0, 8192, 8192, true)));
        ByteBuffer b = f.get();
        byte[] got = new byte[b.remaining()];
        b.duplicate().get(got);
        assertArrayEquals(all, got);
        task.release();
        sent.forEach(buf -> assertEquals(0, buf.refCnt()));
    }

    @Test
    void allDataAsImmediateDataIsOneSegmentWithoutACopy() throws Exception {
        byte[] all = pattern(4096);
        TargetTask task = writeTask(all, 4096);
        ByteBuffer[] segments = task.receiveSegments(all.length).get();
        assertEquals(1, segments.length);
        assertArrayEquals(all, concat(segments));
        assertTrue(r2ts.isEmpty(), "nothing left to solicit");
        task.release();
        assertEquals(0, sent.get(0).refCnt());
    }

    @Test
    void anAbortedTaskFailsTheRequestAndFreesWhatArrived() {
        byte[] all = pattern(16384);
        TargetTask task = writeTask(all, 8192);
        CompletableFuture<ByteBuffer[]> f = task.receiveSegments(all.length);
        task.abort();
        assertThrows(
                CancellationException.class, f::get, "the logical unit sees the task cancelled");
        task.release();
        sent.forEach(b -> assertEquals(0, b.refCnt()));
    }

    @Test
    void theDataIsRequestedOnce() {
        byte[] all = pattern(4096);
        TargetTask task = writeTask(all, 4096);
        task.receiveSegments(all.length);
        assertTrue(task.receive(all.length).isCompletedExceptionally());
        assertTrue(task.receiveSegments(all.length).isCompletedExceptionally());
        task.release();
    }

    @Test
    void dataInReadIntoTheTasksOwnBufferGoesOutAsASliceOfItWithoutACopy() {
        byte[] all = pattern(4096);
        TargetTask task = writeTask(all, 4096);
        ByteBuffer view = task.allocateDataIn(8192);
        view.put(pattern(8192)).flip().position(512);
        ByteBuf payload = task.dataInFor(view);
        assertEquals(7680, payload.readableBytes());
        assertEquals(pattern(8192)[512], payload.getByte(0));
        view.put(512, (byte) 0x5A);
        assertEquals(0x5A, payload.getByte(0), "the payload shares the task's memory");
        ByteBuf copied = task.dataInFor(ByteBuffer.allocateDirect(16));
        assertEquals(16, copied.readableBytes(), "memory the task did not hand out is copied");
        payload.release();
        copied.release();
        task.release();
    }
}
