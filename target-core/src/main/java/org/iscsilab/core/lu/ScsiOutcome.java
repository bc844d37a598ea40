package org.iscsilab.core.lu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.iscsilab.core.store.FileSpan;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseData;

/**
 * How a command ended: status, sense data for CHECK CONDITION, data-in, and the number of bytes the
 * CDB asked to transfer ({@code commandDataLength}), from which the transport derives residual
 * overflow or underflow against its expected length (RFC 7143 §11.4.5). Data-in is either in memory
 * ({@code dataIn}) or, for a transport that sends from files, a span of the LUN's file ({@code
 * dataInFile}, with {@code dataIn} empty).
 */
public record ScsiOutcome(
        ScsiStatus status,
        SenseData sense,
        boolean descriptorSense,
        ByteBuffer dataIn,
        int commandDataLength,
        FileSpan dataInFile) {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    public ScsiOutcome {
        if (status == null) {
            throw new IllegalArgumentException("status is required");
        }
        if (status == ScsiStatus.CHECK_CONDITION && sense == null) {
            throw new IllegalArgumentException("CHECK CONDITION needs sense data");
        }
        if (dataIn == null) {
            dataIn = EMPTY;
        }
        if (dataInFile != null && dataIn.hasRemaining()) {
            throw new IllegalArgumentException("data-in is in memory or in a file, not both");
        }
    }

    public ScsiOutcome(
            ScsiStatus status,
            SenseData sense,
            boolean descriptorSense,
            ByteBuffer dataIn,
            int commandDataLength) {
        this(status, sense, descriptorSense, dataIn, commandDataLength, null);
    }

    /**
     * Data-in of which the CDB asked for {@code commandDataLength} bytes, to be sent from the file.
     */
    public static ScsiOutcome dataInFromFile(FileSpan span, int commandDataLength) {
        return new ScsiOutcome(ScsiStatus.GOOD, null, false, EMPTY, commandDataLength, span);
    }

    /** Bytes of data-in, wherever they are. */
    public int dataInLength() {
        return dataInFile != null ? dataInFile.length() : dataIn.remaining();
    }

    /** This outcome with its data-in in memory: a file span is read. */
    public ScsiOutcome inMemory() {
        if (dataInFile == null) {
            return this;
        }
        try {
            return new ScsiOutcome(
                    status, sense, descriptorSense, dataInFile.read(), commandDataLength, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ScsiOutcome good() {
        return new ScsiOutcome(ScsiStatus.GOOD, null, false, EMPTY, 0);
    }

    public static ScsiOutcome dataIn(ByteBuffer data) {
        return new ScsiOutcome(ScsiStatus.GOOD, null, false, data, data.remaining());
    }

    /** Data-in of which the CDB asked for {@code commandDataLength} bytes (for the residual). */
    public static ScsiOutcome dataInWithCommandLength(ByteBuffer data, int commandDataLength) {
        return new ScsiOutcome(ScsiStatus.GOOD, null, false, data, commandDataLength);
    }

    /** Data-in truncated to the allocation length the CDB gave (SPC-5 §4.2.5.6). */
    public static ScsiOutcome dataIn(byte[] data, int allocationLength) {
        return dataIn(ByteBuffer.wrap(data, 0, Math.min(data.length, allocationLength)).slice());
    }

    public static ScsiOutcome dataOut(int bytes) {
        return new ScsiOutcome(ScsiStatus.GOOD, null, false, EMPTY, bytes);
    }

    public static ScsiOutcome checkCondition(SenseData sense, boolean descriptor) {
        return new ScsiOutcome(ScsiStatus.CHECK_CONDITION, sense, descriptor, EMPTY, 0);
    }

    public static ScsiOutcome status(ScsiStatus status) {
        return new ScsiOutcome(status, null, false, EMPTY, 0);
    }

    public ScsiOutcome withCommandDataLength(int length) {
        return new ScsiOutcome(status, sense, descriptorSense, dataIn, length, dataInFile);
    }

    public byte[] encodedSense() {
        return sense == null ? new byte[0] : sense.encode(descriptorSense);
    }
}
