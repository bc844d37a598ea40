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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.iscsilab.core.lu.DataInAllocator;
import org.iscsilab.core.lu.DataOutSource;
import org.iscsilab.core.lu.ScsiOutcome;
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

        /** Where the next in-order Data-Out of the burst starts (RFC 7143 §13.18). */
        int nextOffset;

        Solicitation(int offset, int length) {
            this.offset = offset;
            this.length = length;
            this.nextOffset = offset;
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
    private TargetConnection connection;

    private final SessionParameters params;

    /**
     * The logical unit's outcome, held while the task has no connection to answer on (its
     * connection failed at ErrorRecoveryLevel 2 and the task waits for TASK REASSIGN).
     */
    private ScsiOutcome heldOutcome;

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

    /** Where the next in-order unsolicited Data-Out starts. */
    private int unsolicitedNextOffset;

    /**
     * At ErrorRecoveryLevel 1 and above, the bytes of data-out that arrived, so lost Data-Out is
     * asked for again with recovery R2Ts (RFC 7143 §7.2 within-command recovery); null at 0.
     */
    private final ByteRanges arrived;

    /** When Data-Out for this task last arrived (or it was last solicited). */
    private long lastDataOutNanos;

    /** R2Ts replaced by recovery R2Ts; Data-Out that still answers them is let go. */
    private Set<Integer> retired;

    /** Ranges lost before the logical unit asked for the data, solicited when it does. */
    private List<int[]> lostEarly;

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
        this.arrived = params.errorRecoveryLevel() >= 1 ? new ByteRanges() : null;
        this.lastDataOutNanos = System.nanoTime();
        this.unsolicitedNextOffset = immediateData == null ? 0 : immediateData.readableBytes();
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

    /**
     * TASK REASSIGN (RFC 7143 §7.2.2): the task is allegiant to {@code to} from now on. A write
     * still missing data asks for it there: the R2Ts of the old connection are void and what has
     * not arrived is solicited anew, with fresh R2Ts (§7.2.2: the target may send them for all
     * unreceived data).
     */
    void reassignTo(TargetConnection to) {
        this.connection = to;
        if (requested && received < wanted && arrived != null) {
            lastDataOutNanos = 0;
            recoverIfStalled(System.nanoTime(), 0);
        }
    }

    /** Keeps the outcome until the task is reassigned; see {@link #heldOutcome}. */
    void hold(ScsiOutcome outcome) {
        heldOutcome = outcome;
    }

    /** The outcome held while the task had no connection, or null. */
    ScsiOutcome heldOutcome() {
        return heldOutcome;
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
        if (lostEarly != null) {
            List<int[]> lost = lostEarly;
            lostEarly = null;
            for (int[] r : lost) {
                recover(r[0], r[1]);
            }
        }
        solicit();
        completeIfDone();
    }

    /**
     * Accepts one Data-Out, or returns what is wrong with it; then the caller rejects the PDU and
     * ends the task. From ErrorRecoveryLevel 1 a DataSN gap is not an error: the missing bytes are
     * asked for again with a recovery R2T (RFC 7143 §7.9).
     */
    DataOutError onDataOut(DataOut d) {
        DataOutError error = accept(d);
        if (error != null) {
            d.release();
        }
        return error;
    }

    private DataOutError accept(DataOut d) {
        lastDataOutNanos = System.nanoTime();
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
                if (arrived == null || d.dataSn() < unsolicitedDataSn) {
                    return DataOutError.DATA_SN;
                }
                // §7.9: a gap in DataSN is a lost PDU: ask for its bytes with a recovery R2T
                recover(unsolicitedNextOffset, d.bufferOffset());
                unsolicitedDataSn = d.dataSn();
            }
            unsolicitedDataSn++;
            unsolicitedNextOffset = (int) end;
            if (d.finalFlag()) {
                unsolicitedDone = true;
                shortUnsolicitedBurst((int) end);
            }
        } else {
            Solicitation s = outstanding == null ? null : outstanding.get(d.targetTransferTag());
            if (s == null && retired != null && retired.contains(d.targetTransferTag())) {
                d.release(); // for an R2T a recovery replaced: what it carries is asked for anew
                return null;
            }
            if (s == null) {
                return DataOutError.TTT;
            }
            if (d.bufferOffset() < s.offset || end > (long) s.offset + s.length) {
                return DataOutError.OFFSET;
            }
            if (d.dataSn() != s.nextDataSn) {
                if (arrived == null || d.dataSn() < s.nextDataSn) {
                    return DataOutError.DATA_SN;
                }
                // §7.9: a gap in DataSN is a lost PDU: ask for its bytes with a recovery R2T
                s.received += d.bufferOffset() - s.nextOffset;
                recover(s.nextOffset, d.bufferOffset());
                s.nextDataSn = d.dataSn();
            }
            s.nextDataSn++;
            s.nextOffset = (int) end;
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
        // bytes that came before (a recovery R2T answered more than was lost) count once
        received += arrived == null ? len : arrived.add(offset, offset + len);
    }

    /**
     * Asks again for [from, to) with recovery R2Ts (RFC 7143 §11.8: the next R2TSN, for data an
     * earlier R2T or the unsolicited burst covered), at most MaxBurstLength each; before the
     * logical unit asked for the data, when it does.
     */
    private void recover(int from, int to) {
        if (to <= from) {
            return;
        }
        if (!requested) {
            if (lostEarly == null) {
                lostEarly = new ArrayList<>();
            }
            lostEarly.add(new int[] {from, to});
            return;
        }
        int end = Math.min(to, wanted);
        for (int off = from; off < end; ) {
            int len = Math.min(params.maxBurstLength(), end - off);
            int ttt = r2tSender.send(this, r2tSn++, off, len);
            solicitations().put(ttt, new Solicitation(off, len));
            off += len;
        }
        lastDataOutNanos = System.nanoTime();
    }

    /**
     * A Data-Out of this task arrived with a data digest error (RFC 7143 §7.8): the PDU is gone,
     * its header tells what it carried; the bytes are asked for again with a recovery R2T and the
     * sequence goes on past it. Only at ErrorRecoveryLevel 1 and above.
     */
    void lostDataOut(int ttt, int dataSn, int offset, int length, boolean finalFlag) {
        if (aborted) {
            return;
        }
        lastDataOutNanos = System.nanoTime();
        if (ttt == Pdu.RESERVED_TAG) {
            if (dataSn == unsolicitedDataSn) {
                unsolicitedDataSn++;
                unsolicitedNextOffset = offset + length;
            }
            if (finalFlag) {
                unsolicitedDone = true;
            }
        } else {
            Solicitation s = outstanding == null ? null : outstanding.get(ttt);
            if (s == null) {
                return;
            }
            if (dataSn == s.nextDataSn) {
                s.nextDataSn++;
                s.nextOffset = offset + length;
            }
            s.received += length;
            if (finalFlag || s.received >= s.length) {
                outstanding.remove(ttt);
            }
        }
        recover(offset, offset + length);
    }

    /**
     * No Data-Out for this task for {@code idleNanos} while data is missing (a lost PDU that no
     * later PDU revealed, such as the last of a burst): every missing range is asked for again, the
     * outstanding R2Ts replaced (RFC 7143 §7.9 sequence reception timeout). Returns whether it
     * asked for anything.
     */
    boolean recoverIfStalled(long nowNanos, long idleNanos) {
        if (arrived == null
                || aborted
                || !requested
                || received >= wanted
                || nowNanos - lastDataOutNanos < idleNanos) {
            return false;
        }
        if (outstanding != null) {
            if (retired == null) {
                retired = new HashSet<>();
            }
            outstanding.keySet().forEach(retired::add);
            outstanding.clear();
        }
        unsolicitedDone = true;
        // what was asked for (or sent unsolicited) and did not come; the rest is solicited as usual
        for (int[] r : arrived.missing(0, Math.max(nextR2tOffset, unsolicitedLimit))) {
            recover(r[0], Math.min(r[1], wanted));
        }
        solicit();
        return true;
    }

    private void solicit() {
        while (nextR2tOffset < wanted && solicitations().size() < maxOutstandingR2T()) {
            int len = Math.min(params.maxBurstLength(), wanted - nextR2tOffset);
            int ttt = r2tSender.send(this, r2tSn++, nextR2tOffset, len);
            outstanding.put(ttt, new Solicitation(nextR2tOffset, len));
            nextR2tOffset += len;
        }
    }

    /**
     * MaxOutstandingR2T, but 1 at ErrorRecoveryLevel 1 and above with DataSequenceInOrder (RFC 7143
     * §13.19: recovery may retry only the last R2T then); fewer outstanding R2Ts than negotiated
     * are always allowed.
     */
    private int maxOutstandingR2T() {
        return arrived != null && params.dataSequenceInOrder() ? 1 : params.maxOutstandingR2T();
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
            // immediate data that spanned two reads is a slice of two buffers: no merging copy
            return buffer.nioBufferCount() == 1
                    ? new ByteBuffer[] {buffer.nioBuffer(0, wanted)}
                    : buffer.nioBuffers(0, wanted);
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
