package org.iscsilab.core.sbc;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.core.store.FileSpan;
import org.iscsilab.core.store.FileSpans;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseKey;

/** READ and WRITE (6/10/12/16): SBC-4 §5.14-§5.18 and §5.38-§5.42. */
final class BlockIo {
    private BlockIo() {}

    static CompletableFuture<ScsiOutcome> read(LogicalUnit lu, ScsiTask task) {
        BlockRange r = BlockRange.parse(task.cdb());
        r.check(lu);
        int bs = lu.blockSize();
        int length = r.byteLength(bs);
        if (length == 0) {
            return CompletableFuture.completedFuture(ScsiOutcome.good());
        }
        // Read only what the transport will carry; the residual still counts the whole CDB length.
        int carried = Math.min(length, task.expectedDataTransferLength());
        long lba = r.lba();
        Optional<FileSpans> spans;
        if (carried >= FileSpan.MIN_LENGTH
                && task.sendsDataInFromFiles()
                && (spans = lu.store().fileSpans()).isPresent()) {
            // the transport sends these bytes from the file: nothing is read here
            FileSpan span = spans.get().span(lba * lu.blockSize(), carried);
            if (span != null) {
                return CompletableFuture.completedFuture(ScsiOutcome.dataInFromFile(span, length));
            } // else the file shrank or failed: the read below reports what it finds
        }
        return lu.io(
                () ->
                        ScsiOutcome.dataInWithCommandLength(
                                MediumAccess.read(lu, lba, task.dataInBuffer(carried)), length));
    }

    /**
     * Writes min(CDB length, expected data transfer length) bytes. When that is not a whole number
     * of blocks the command ends with INVALID FIELD IN INFORMATION UNIT and writes nothing.
     */
    static CompletableFuture<ScsiOutcome> write(LogicalUnit lu, ScsiTask task) {
        BlockRange r = BlockRange.parse(task.cdb());
        MediumAccess.requireWritable(lu);
        r.check(lu);
        boolean durable = r.fua() || !lu.writeCacheEnabled();
        return write(lu, task, r.lba(), r.byteLength(lu.blockSize()), durable, false);
    }

    /**
     * The data-out part of every write command: carries min(CDB length, EDTL) bytes, writes them,
     * optionally compares them back (WRITE AND VERIFY), and reports the CDB length for residuals.
     */
    static CompletableFuture<ScsiOutcome> write(
            LogicalUnit lu, ScsiTask task, long lba, int length, boolean durable, boolean verify) {
        int bs = lu.blockSize();
        int carried = Math.min(length, task.expectedDataTransferLength());
        if (carried == 0) {
            return CompletableFuture.completedFuture(ScsiOutcome.dataOut(length));
        }
        if (carried % bs != 0) {
            return CompletableFuture.completedFuture(
                    lu.checkCondition(
                                    SenseData.of(
                                            SenseKey.ILLEGAL_REQUEST,
                                            AdditionalSense.INVALID_FIELD_IN_INFORMATION_UNIT))
                            .withCommandDataLength(length));
        }
        if (verify) {
            return task.dataOut()
                    .receive(carried)
                    .thenCompose(
                            data ->
                                    lu.io(
                                            () -> {
                                                MediumAccess.write(
                                                        lu, lba, data.duplicate(), durable);
                                                VerifyCommands.compare(
                                                        lu,
                                                        MediumAccess.read(lu, lba, carried),
                                                        data,
                                                        false);
                                                return ScsiOutcome.dataOut(length);
                                            }));
        }
        // the data as it arrived, in pieces: no copy into one buffer before the store copies it;
        // a store that takes writes one at a time gets them queued, FUA as a flush after it
        boolean queued = lu.store().serialWrites();
        return task.dataOut()
                .receiveSegments(carried)
                .thenCompose(
                        segments ->
                                lu.writeThenFlush(
                                        () -> {
                                            MediumAccess.write(
                                                    lu, lba, segments, durable && !queued);
                                            return ScsiOutcome.dataOut(length);
                                        },
                                        durable && queued));
    }
}
