package org.iscsilab.iscsi.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.iscsilab.core.lu.DataInAllocator;
import org.iscsilab.core.lu.DataOutSource;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.scsi.AdditionalSense;

/**
 * One SCSI task on the target side of a session, from its SCSI Command PDU until its status is
 * sent. It gathers data-out for the logical unit: immediate data, unsolicited Data-Out up to
 * FirstBurstLength, then R2T-solicited bursts of at most MaxBurstLength with at most
 * MaxOutstandingR2T outstanding (RFC 7143 §4.2.4 data transfer, §11.8 R2T). Runs on its
 * connection's event loop only. Running it (once the CmdSN order admits it) hands it to the session
 * to execute.
 */
final class TargetTask implements Runnable, DataOutSource, DataInAllocator {
    /** Sends an R2T for this task: offset and desired length. */
    interface R2tSender {
        int send(TargetTask task, int r2tSn, int offset, int length);
    }

    private record Segment(int offset, ByteBuf data) {}

    /** One outstanding R2T: the burst it asked for and how far its Data-Out got. */
    private static final class Solicitation {
        final int offset;
        final int length;
        int received;
        int nextDataSn;

        Solicitation(int offset, int length) {
            this.offset = offset;
            this.length = length;
        }
    }

    /** What was wrong with a Data-Out, each with the sense the task then ends with. */
    enum DataOutError {
        /** DataSN out of sequence (RFC 7143 §11.7.5). */
        DATA_SN(AdditionalSense.DATA_PHASE_ERROR),
        /** Buffer offset or length beyond the expected transfer (RFC 7143 §11.7.6). */
        OFFSET(AdditionalSense.DATA_OFFSET_ERROR),
        /** A Target Transfer Tag this task never issued (RFC 7143 §11.7.4). */
        TTT(AdditionalSense.INVALID_TARGET_PORT_TRANSFER_TAG),
        /** Unsolicited data beyond FirstBurstLength (RFC 7143 §13.14). */
        TOO_MUCH_DATA(AdditionalSense.TOO_MUCH_WRITE_DATA);

        private final AdditionalSense sense;

        DataOutError(AdditionalSense sense) {
            this.sense = sense;
        }

        AdditionalSense sense() {
            return sense;
        }
    }

    private final ScsiCommand command;

    /**
     * The connection the task is allegiant to (RFC 7143 §7.1.2): its R2Ts, Data-In and status go on
     * it, its Data-Out comes on it.
     */
    private final TargetConnection connection;

    private final SessionParameters params;
    private final R2tSender r2tSender;
    private final Consumer<TargetTask> executor;

    /**
     * Data-in may be a span of the LUN's file, sent from the file (no data digest, no fault rule).
     */
    private volatile boolean fileDataIn;

    /** What the event log and metrics record when the task ends, set when it starts executing. */
    private int lun;

    private int opcode;
    private long lba;
    private long blocks;
    private long startedNanos;
    private boolean delivered;
    private final ByteBufAllocator alloc;
    private ByteBuf immediateData;

    /** Data-Out that arrived before the logical unit asked for the data; made when needed. */
    private List<DataOut> early;

    /** Outstanding R2Ts by Target Transfer Tag; made when the first R2T is sent. */
    private IntObjectMap<Solicitation> outstanding;

    private boolean unsolicitedDone;
    private int unsolicitedDataSn;

    /** Where unsolicited data (immediate plus Data-Out with reserved TTT) may end. */
    private int unsolicitedLimit;

    private ByteBuf buffer;
    private int wanted;
    private int received;
    private int nextR2tOffset;
    private int r2tSn;
    private int dataInCount;

    /** The logical unit asked for the data-out (one of the two futures below is set). */
    private boolean requested;

    private CompletableFuture<ByteBuffer> dataFuture;
    private CompletableFuture<ByteBuffer[]> segmentsFuture;

    /** In gather mode, the received pieces (retained slices) with their buffer offsets. */
    private List<Segment> segments;

    private boolean aborted;
    private boolean released;

    /**
     * The pooled direct buffer a READ is read into; sent as Data-In without a copy, freed by {@link
     * #release}.
     */
    private ByteBuf dataIn;

    /**
     * The view of {@link #dataIn} handed to the logical unit, recognised when its outcome returns
     * it.
     */
    private ByteBuffer dataInView;

    TargetTask(
            ScsiCommand command,
            TargetConnection connection,
            R2tSender r2tSender,
            Consumer<TargetTask> executor) {
        this(
                command,
                connection,
                connection.params(),
                r2tSender,
                executor,
                connection.channel().alloc());
    }

    /** A task whose parameters and allocator are given apart from its connection (tests). */
    TargetTask(
            ScsiCommand command,
            TargetConnection connection,
            SessionParameters params,
            R2tSender r2tSender,
            Consumer<TargetTask> executor,
            ByteBufAllocator alloc) {
        this.command = command;
        this.connection = connection;
        this.params = params;
        this.r2tSender = r2tSender;
        this.executor = executor;
        this.alloc = alloc;
        this.immediateData = command.data();
        // F bit on a write command: no unsolicited Data-Out follows (RFC 7143 §11.3.4)
        this.unsolicitedDone = !command.write() || command.finalFlag() || params.initialR2T();
        this.unsolicitedLimit = unsolicitedEnd();
    }

    ScsiCommand command() {
        return command;
    }

    TargetConnection connection() {
        return connection;
    }

    @Override
    public void run() {
        executor.accept(this);
    }

    /** Lets the logical unit answer with a span of its file instead of bytes in memory. */
    void allowFileDataIn(boolean allowed) {
        fileDataIn = allowed;
    }

    @Override
    public boolean sendsFromFiles() {
        return fileDataIn;
    }

    /**
     * Notes what the task addresses as it starts executing: the logical unit, opcode and blocks.
     */
    void executing(int lun, int opcode, long lba, long blocks, long startedNanos) {
        this.lun = lun;
        this.opcode = opcode;
        this.lba = lba;
        this.blocks = blocks;
        this.startedNanos = startedNanos;
        this.delivered = true;
    }

    /**
     * True once the command went to the SCSI target device: from then on it is in a task set and
     * the device's task manager decides whether it is aborted. Before that it waits here for its
     * CmdSN (RFC 7143 §4.2.2.1), and only the session can drop it.
     */
    boolean delivered() {
        return delivered;
    }

    int lun() {
        return lun;
    }

    int opcode() {
        return opcode;
    }

    long lba() {
        return lba;
    }

    long blocks() {
        return blocks;
    }

    long startedNanos() {
        return startedNanos;
    }

    int itt() {
        return command.initiatorTaskTag();
    }

    long lunField() {
        return command.lun();
    }

    boolean aborted() {
        return aborted;
    }

    /** Number of R2T and Data-In PDUs sent for this task: the ExpDataSN of its SCSI Response. */
    int expDataSn() {
        return r2tSn + dataInCount;
    }

    int nextDataSn() {
        return r2tSn + dataInCount++;
    }

    /** The end of the unsolicited data the initiator may send (RFC 7143 §13.10, §13.14). */
    private int unsolicitedEnd() {
        int edtl = command.expectedDataTransferLength();
        int immediate = immediateData == null ? 0 : immediateData.readableBytes();
        if (params.initialR2T() || command.finalFlag()) {
            return Math.min(immediate, edtl);
        }
        return Math.min(params.firstBurstLength(), edtl);
    }

    @Override
    public CompletableFuture<ByteBuffer> receive(int length) {
        if (!command.write()) {
            return DataOutSource.NONE.receive(
                    length); // RFC 7143 §11.3.1: W clear, no data-out to come
        }
        if (requested) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("data-out already requested"));
        }
        dataFuture = new CompletableFuture<>();
        request(length, false);
        return dataFuture;
    }

    @Override
    public CompletableFuture<ByteBuffer[]> receiveSegments(int length) {
        if (!command.write()) {
            return DataOutSource.NONE.receiveSegments(length);
        }
        if (requested) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("data-out already requested"));
        }
        segmentsFuture = new CompletableFuture<>();
        request(length, true);
        return segmentsFuture;
    }

    /**
     * The logical unit asked for {@code length} bytes: what already arrived is taken in, the rest
     * solicited. {@code gather} keeps the received pieces as they are instead of copying them into
     * one buffer.
     */
    private void request(int length, boolean gather) {
        requested = true;
        if (aborted) {
            failRequest(new CancellationException("task aborted"));
            return;
        }
        wanted = Math.min(length, command.expectedDataTransferLength());
        if (immediateData != null && immediateData.readableBytes() == wanted && early == null) {
            // all the data came as immediate data: hand its received slice over, no copy
            buffer = immediateData.slice(immediateData.readerIndex(), wanted);
            immediateData = null;
            received = wanted;
            completeIfDone();
            return;
        }
        if (gather) {
            segments = new ArrayList<>();
        } else {
            buffer = alloc.buffer(wanted, wanted);
            buffer.writerIndex(wanted);
        }
        if (immediateData != null) {
            place(0, immediateData);
            immediateData.release();
            immediateData = null;
        }
        if (early != null) {
            for (DataOut d : early) {
                place(d.bufferOffset(), d.data());
                d.release();
            }
            early = null;
        }
        nextR2tOffset = unsolicitedLimit;
        solicit();
        completeIfDone();
    }

    /**
     * Accepts one Data-Out, or returns what is wrong with it; then the caller rejects the PDU and
     * ends the task (ErrorRecoveryLevel 0 cannot recover a data sequence).
     */
    DataOutError onDataOut(DataOut d) {
        DataOutError error = accept(d);
        if (error != null) {
            d.release();
        }
        return error;
    }

    private DataOutError accept(DataOut d) {
        int len = d.data().readableBytes();
        long end = (d.bufferOffset() & 0xFFFFFFFFL) + len;
        if (end > command.expectedDataTransferLength()) {
            return DataOutError.OFFSET;
        }
        if (d.targetTransferTag() == Pdu.RESERVED_TAG) {
            if (unsolicitedDone || end > unsolicitedLimit) {
                return DataOutError.TOO_MUCH_DATA;
            }
            // RFC 7143 §11.7.5: DataSN counts the PDUs of one output sequence from 0
            if (d.dataSn() != unsolicitedDataSn) {
                return DataOutError.DATA_SN;
            }
            unsolicitedDataSn++;
            if (d.finalFlag()) {
                unsolicitedDone = true;
                shortUnsolicitedBurst((int) end);
            }
        } else {
            Solicitation s = outstanding == null ? null : outstanding.get(d.targetTransferTag());
            if (s == null) {
                return DataOutError.TTT;
            }
            if (d.dataSn() != s.nextDataSn) {
                return DataOutError.DATA_SN;
            }
            if (d.bufferOffset() < s.offset || end > (long) s.offset + s.length) {
                return DataOutError.OFFSET;
            }
            s.nextDataSn++;
            s.received += len;
            if (d.finalFlag() || s.received >= s.length) {
                outstanding.remove(d.targetTransferTag());
            }
        }
        if (aborted) {
            d.release();
            return null;
        }
        if (!requested) {
            if (early == null) {
                early = new ArrayList<>();
            }
            early.add(d);
            return null;
        }
        place(d.bufferOffset(), d.data());
        d.release();
        solicit();
        completeIfDone();
        return null;
    }

    /**
     * The initiator ended its unsolicited burst before FirstBurstLength: what it did not send is
     * solicited with R2T like the rest.
     */
    private void shortUnsolicitedBurst(int end) {
        if (end >= unsolicitedLimit) {
            return;
        }
        int gapEnd = unsolicitedLimit;
        unsolicitedLimit = end;
        if (requested && nextR2tOffset > end) {
            for (int off = end; off < Math.min(gapEnd, wanted); ) {
                int len = Math.min(params.maxBurstLength(), Math.min(gapEnd, wanted) - off);
                int ttt = r2tSender.send(this, r2tSn++, off, len);
                solicitations().put(ttt, new Solicitation(off, len));
                off += len;
            }
        }
    }

    private void place(int offset, ByteBuf data) {
        int len = Math.min(data.readableBytes(), wanted - offset);
        if (len <= 0 || offset < 0) {
            return;
        }
        if (segments != null) {
            segments.add(new Segment(offset, data.retainedSlice(data.readerIndex(), len)));
        } else {
            buffer.setBytes(offset, data, data.readerIndex(), len);
        }
        received += len;
    }

    private void solicit() {
        while (nextR2tOffset < wanted && solicitations().size() < params.maxOutstandingR2T()) {
            int len = Math.min(params.maxBurstLength(), wanted - nextR2tOffset);
            int ttt = r2tSender.send(this, r2tSn++, nextR2tOffset, len);
            outstanding.put(ttt, new Solicitation(nextR2tOffset, len));
            nextR2tOffset += len;
        }
    }

    private IntObjectMap<Solicitation> solicitations() {
        if (outstanding == null) {
            outstanding = new IntObjectHashMap<>(params.maxOutstandingR2T());
        }
        return outstanding;
    }

    private void completeIfDone() {
        if (!requested || received < wanted) {
            return;
        }
        if (dataFuture != null && !dataFuture.isDone()) {
            dataFuture.complete(buffer.nioBuffer(0, wanted));
        } else if (segmentsFuture != null && !segmentsFuture.isDone()) {
            segmentsFuture.complete(gathered());
        }
    }

    /**
     * The received pieces in offset order when they cover the transfer exactly once; otherwise
     * (overlapping or missing pieces from a misbehaving initiator) one buffer they are copied into
     * in arrival order, as the copying path would have built it.
     */
    private ByteBuffer[] gathered() {
        if (segments == null) {
            return new ByteBuffer[] {buffer.nioBuffer(0, wanted)};
        }
        List<Segment> inOrder = segments;
        if (!tiles(inOrder)) { // out of order (several R2Ts answered in any order), or worse
            inOrder = new ArrayList<>(segments);
            inOrder.sort(Comparator.comparingInt(Segment::offset));
            if (!tiles(inOrder)) {
                return copied(segments);
            }
        }
        List<ByteBuffer> out = new ArrayList<>(inOrder.size());
        for (Segment piece : inOrder) {
            if (piece.data().nioBufferCount() == 1) {
                out.add(piece.data().nioBuffer());
            } else {
                Collections.addAll(out, piece.data().nioBuffers());
            }
        }
        return out.toArray(new ByteBuffer[0]);
    }

    /** The pieces, in this order, cover [0, wanted) exactly once. */
    private boolean tiles(List<Segment> pieces) {
        int end = 0;
        for (Segment piece : pieces) {
            if (piece.offset() != end) {
                return false;
            }
            end += piece.data().readableBytes();
        }
        return end == wanted;
    }

    private ByteBuffer[] copied(List<Segment> arrived) {
        buffer = alloc.buffer(wanted, wanted);
        buffer.setZero(0, wanted).writerIndex(wanted);
        for (Segment piece : arrived) {
            buffer.setBytes(
                    piece.offset(),
                    piece.data(),
                    piece.data().readerIndex(),
                    piece.data().readableBytes());
        }
        return new ByteBuffer[] {buffer.nioBuffer(0, wanted)};
    }

    private void failRequest(Throwable cause) {
        if (dataFuture != null && !dataFuture.isDone()) {
            dataFuture.completeExceptionally(cause);
        }
        if (segmentsFuture != null && !segmentsFuture.isDone()) {
            segmentsFuture.completeExceptionally(cause);
        }
    }

    /** Aborts the task: a pending data-out request fails and no status will be sent. */
    void abort() {
        aborted = true;
        if (outstanding != null) {
            outstanding.clear();
        }
        failRequest(new CancellationException("task aborted"));
    }

    /**
     * Data-in memory from the connection's pooled allocator. Called on the LUN's I/O thread for
     * file LUNs, hence synchronized with {@link #release}; a task already released gets heap
     * memory.
     */
    @Override
    public synchronized ByteBuffer allocateDataIn(int bytes) {
        if (released || dataIn != null) {
            return ByteBuffer.allocate(bytes);
        }
        dataIn = alloc.directBuffer(bytes, bytes);
        dataInView = dataIn.nioBuffer(0, bytes);
        return dataInView;
    }

    /**
     * The Data-In payload for {@code in} as a buffer the caller releases: a retained slice of the
     * pooled buffer when {@code in} is the view this task handed out (no copy), else a wrapper of
     * heap memory, else a copy (a fault that made data of its own).
     */
    synchronized ByteBuf dataInFor(ByteBuffer in) {
        if (dataIn != null && in == dataInView) {
            return dataIn.retainedSlice(in.position(), in.remaining());
        }
        return in.isDirect()
                ? Unpooled.copiedBuffer(in.duplicate())
                : Unpooled.wrappedBuffer(in.duplicate());
    }

    /** Frees every buffer the task holds; called once its status went out or it was aborted. */
    synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        if (dataIn != null) {
            dataIn.release();
            dataIn = null;
            dataInView = null;
        }
        if (immediateData != null) {
            immediateData.release();
            immediateData = null;
        }
        if (early != null) {
            early.forEach(DataOut::release);
            early = null;
        }
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
        if (segments != null) {
            segments.forEach(piece -> piece.data().release());
            segments = null;
        }
    }
}
