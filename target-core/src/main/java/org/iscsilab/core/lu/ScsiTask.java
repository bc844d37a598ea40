package org.iscsilab.core.lu;

import org.iscsilab.core.nexus.ItNexus;
import java.nio.ByteBuffer;

import org.iscsilab.scsi.Cdb;

/**
 * One SCSI command as the device server receives it (SAM-5 §5.1 Execute Command):
 * the I_T nexus, LUN, CDB, task tag and attribute, the transport's expected data
 * transfer length, and where data-out comes from.
 */
public record ScsiTask(ItNexus nexus, long lun, Cdb cdb, long tag, TaskAttribute attribute,
                       int expectedDataTransferLength, DataOutSource dataOut) {
    public ScsiTask {
        if (nexus == null || cdb == null || dataOut == null) {
            throw new IllegalArgumentException("nexus, cdb and dataOut are required");
        }
        if (expectedDataTransferLength < 0) {
            throw new IllegalArgumentException("expected data transfer length is negative");
        }
    }

    /**
     * A buffer for {@code bytes} of data-in: the transport's own when the object it passed as
     * {@code dataOut} also allocates data-in buffers (one per task, both directions), else the heap's.
     */
    public ByteBuffer dataInBuffer(int bytes) {
        return dataOut instanceof DataInAllocator a ? a.allocateDataIn(bytes) : ByteBuffer.allocate(bytes);
    }

    /** True when the transport takes this task's data-in as a span of a file (see {@link DataInAllocator}). */
    public boolean sendsDataInFromFiles() {
        return dataOut instanceof DataInAllocator a && a.sendsFromFiles();
    }
}
