package org.iscsilab.core.lu;

import java.nio.ByteBuffer;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.scsi.Cdb;

/**
 * One SCSI command as the device server receives it (SAM-5 §5.1 Execute Command): the I_T nexus,
 * LUN, CDB, task tag and attribute, the transport's expected data transfer length, where data-out
 * comes from and where data-in goes: the transport's buffers travel on the task (as SPDK's iovs and
 * LIO's t_data_sg do), never discovered by type tests.
 */
public record ScsiTask(
        ItNexus nexus,
        long lun,
        Cdb cdb,
        long tag,
        TaskAttribute attribute,
        int expectedDataTransferLength,
        DataOutSource dataOut,
        DataInAllocator dataIn) {
    public ScsiTask {
        if (nexus == null || cdb == null || dataOut == null || dataIn == null) {
            throw new IllegalArgumentException("nexus, cdb, dataOut and dataIn are required");
        }
        if (expectedDataTransferLength < 0) {
            throw new IllegalArgumentException("expected data transfer length is negative");
        }
    }

    /** A task whose data-in goes to heap memory (a caller without buffers of its own). */
    public ScsiTask(
            ItNexus nexus,
            long lun,
            Cdb cdb,
            long tag,
            TaskAttribute attribute,
            int expectedDataTransferLength,
            DataOutSource dataOut) {
        this(
                nexus,
                lun,
                cdb,
                tag,
                attribute,
                expectedDataTransferLength,
                dataOut,
                DataInAllocator.HEAP);
    }

    /** A buffer for {@code bytes} of data-in, from the transport's allocator. */
    public ByteBuffer dataInBuffer(int bytes) {
        return dataIn.allocateDataIn(bytes);
    }

    /**
     * True when the transport takes this task's data-in as a span of a file (see {@link
     * DataInAllocator}).
     */
    public boolean sendsDataInFromFiles() {
        return dataIn.sendsFromFiles();
    }
}
