package org.iscsilab.core.sbc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Lock;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseException;
import org.iscsilab.scsi.SenseKey;

/**
 * FORMAT UNIT (SBC-4 §5.3): formats the medium with the current block size and no protection
 * information; afterwards every block reads as zeros (and a thin unit is fully unmapped). The
 * emulated medium has no defects, so a parameter list may carry no defect descriptors, and no
 * initialization pattern is needed (zeros is the pattern).
 */
final class FormatUnit {
    private static final int SHORT_HEADER = 4;
    private static final int LONG_HEADER = 8;

    private FormatUnit() {}

    static CompletableFuture<ScsiOutcome> execute(LogicalUnit lu, ScsiTask task) {
        Cdb cdb = task.cdb();
        int flags = cdb.u8(1);
        if ((flags & 0xC0) != 0) { // FMTPINFO: protection information is not supported (SPT=0)
            throw SenseException.invalidFieldInCdb(1, 7);
        }
        boolean longList = (flags & 0x20) != 0;
        boolean formatData = (flags & 0x10) != 0;
        if (!formatData
                && (flags & 0x2F) != 0) { // LONGLIST, CMPLST, DEFECT LIST FORMAT need FMTDATA
            throw SenseException.invalidFieldInCdb(
                    1, (flags & 0x20) != 0 ? 5 : (flags & 0x08) != 0 ? 3 : 2);
        }
        MediumAccess.requireWritable(lu);
        if (!formatData) {
            return lu.io(() -> format(lu));
        }
        int header = longList ? LONG_HEADER : SHORT_HEADER;
        if (task.expectedDataTransferLength() < header) {
            throw SenseException.of(
                    SenseKey.ILLEGAL_REQUEST, AdditionalSense.PARAMETER_LIST_LENGTH_ERROR);
        }
        return task.dataOut()
                .receive(header)
                .thenCompose(
                        list -> {
                            checkHeader(list.duplicate(), longList);
                            return lu.io(() -> format(lu));
                        })
                .thenApply(o -> ScsiOutcome.dataOut(header));
    }

    /** SBC-4 §5.3.2 parameter list header: protection, FOV bits, and the defect list length. */
    private static void checkHeader(ByteBuffer p, boolean longList) {
        int at = p.position();
        if ((p.get(at) & 0x07) != 0) { // PROTECTION FIELD USAGE
            throw invalidParameter(0);
        }
        int bits = p.get(at + 1) & 0xFF;
        boolean fov = (bits & 0x80) != 0;
        if (!fov && (bits & 0x7C) != 0) { // DPRY, DCRT, STPF, IP need FOV
            throw invalidParameter(1);
        }
        if ((bits & 0x08)
                != 0) { // IP: no initialization pattern descriptor is supported; zeros are written
            throw invalidParameter(1);
        }
        long defectListLength =
                longList ? p.getInt(at + 4) & 0xFFFFFFFFL : p.getShort(at + 2) & 0xFFFF;
        if (defectListLength != 0) { // a defect-free medium takes no defect descriptors
            throw invalidParameter(longList ? 4 : 2);
        }
    }

    private static ScsiOutcome format(LogicalUnit lu) throws IOException {
        Lock l = lu.mediumLock().writeLock(); // no command sees a half-formatted medium
        l.lock();
        try {
            MediumAccess.eraseAll(lu);
        } finally {
            l.unlock();
        }
        return ScsiOutcome.good();
    }

    private static SenseException invalidParameter(int offset) {
        return new SenseException(
                SenseData.illegalRequest(
                        AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST,
                        SenseData.FieldPointer.parameterByte(offset)));
    }
}
