package org.iscsilab.core.xcopy;

import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseData;

/**
 * The state of one EXTENDED COPY as RECEIVE COPY RESULTS reports it (SPC-4 §6.18.3, §6.18.5):
 * segments processed and bytes moved so far, then how the command ended.
 */
final class CopyProgress {
    private final int listId;
    private volatile int segmentsProcessed;
    private volatile long bytesTransferred;
    private volatile ScsiStatus completion;
    private volatile SenseData sense;

    CopyProgress(int listId) {
        this.listId = listId;
    }

    int listId() {
        return listId;
    }

    void segmentDone() {
        segmentsProcessed++;
    }

    void bytesMoved(long bytes) {
        bytesTransferred += bytes;
    }

    void completed(ScsiStatus status, SenseData failure) {
        this.sense = failure;
        this.completion = status;
    }

    int segmentsProcessed() {
        return segmentsProcessed;
    }

    long bytesTransferred() {
        return bytesTransferred;
    }

    boolean inProgress() {
        return completion == null;
    }

    /** The status the EXTENDED COPY command ended with, or null while it runs. */
    ScsiStatus completion() {
        return completion;
    }

    /** The sense data the EXTENDED COPY command ended with, or null. */
    SenseData sense() {
        return sense;
    }
}
