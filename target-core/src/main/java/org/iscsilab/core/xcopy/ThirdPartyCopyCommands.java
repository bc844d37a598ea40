package org.iscsilab.core.xcopy;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.core.lu.CommandDescriptor;
import org.iscsilab.core.lu.CommandHandler;
import org.iscsilab.core.lu.CommandSet;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseException;
import org.iscsilab.scsi.SenseKey;

/**
 * Third-party copy with list identifiers of one byte (LID1): EXTENDED COPY (SPC-4 §6.4) and RECEIVE
 * COPY RESULTS with COPY STATUS, OPERATING PARAMETERS and FAILED SEGMENT DETAILS (SPC-4 §6.18).
 */
public final class ThirdPartyCopyCommands {
    public static final int SA_EXTENDED_COPY_LID1 = 0x00;
    public static final int SA_COPY_STATUS = 0x00;
    public static final int SA_OPERATING_PARAMETERS = 0x03;
    public static final int SA_FAILED_SEGMENT_DETAILS = 0x04;

    private ThirdPartyCopyCommands() {}

    public static void registerInto(CommandSet set) {
        set.add(
                CommandDescriptor.withServiceAction(
                        ScsiOpcode.THIRD_PARTY_COPY_OUT,
                        SA_EXTENDED_COPY_LID1,
                        "EXTENDED COPY(LID1)",
                        "83 00 00 00 00 00 00 00 00 00 ff ff ff ff 00 00",
                        ThirdPartyCopyCommands::extendedCopy));
        set.add(
                CommandDescriptor.withServiceAction(
                        ScsiOpcode.THIRD_PARTY_COPY_IN,
                        SA_COPY_STATUS,
                        "RECEIVE COPY STATUS(LID1)",
                        "84 00 ff 00 00 00 00 00 00 00 ff ff ff ff 00 00",
                        CommandHandler.immediate(ThirdPartyCopyCommands::copyStatus)));
        set.add(
                CommandDescriptor.withServiceAction(
                        ScsiOpcode.THIRD_PARTY_COPY_IN,
                        SA_OPERATING_PARAMETERS,
                        "RECEIVE COPY OPERATING PARAMETERS",
                        "84 03 00 00 00 00 00 00 00 00 ff ff ff ff 00 00",
                        CommandHandler.immediate(ThirdPartyCopyCommands::operatingParameters)));
        set.add(
                CommandDescriptor.withServiceAction(
                        ScsiOpcode.THIRD_PARTY_COPY_IN,
                        SA_FAILED_SEGMENT_DETAILS,
                        "RECEIVE COPY FAILURE DETAILS(LID1)",
                        "84 04 ff 00 00 00 00 00 00 00 ff ff ff ff 00 00",
                        CommandHandler.immediate(ThirdPartyCopyCommands::failedSegmentDetails)));
    }

    /** SPC-4 §6.4.1: a PARAMETER LIST LENGTH of zero copies nothing and is not an error. */
    static CompletableFuture<ScsiOutcome> extendedCopy(LogicalUnit lu, ScsiTask task) {
        long parameterListLength = task.cdb().u32(10);
        if (parameterListLength == 0) {
            return CompletableFuture.completedFuture(ScsiOutcome.good());
        }
        // more than a header and the largest descriptor lists cannot be valid: refuse before
        // receiving it
        if (parameterListLength < CopyParameterList.HEADER_LENGTH
                || parameterListLength
                        > CopyParameterList.HEADER_LENGTH + CopyLimits.MAX_DESCRIPTOR_LIST_LENGTH) {
            throw SenseException.of(
                    SenseKey.ILLEGAL_REQUEST, AdditionalSense.PARAMETER_LIST_LENGTH_ERROR);
        }
        int length = (int) parameterListLength;
        int carried = Math.min(length, task.expectedDataTransferLength());
        return task.dataOut()
                .receive(carried)
                .thenCompose(
                        data -> {
                            CopyParameterList list = CopyParameterList.parse(data, carried);
                            return CopyManager.run(lu, task.nexus(), list);
                        })
                .thenApply(
                        failure ->
                                failure == null
                                        ? ScsiOutcome.dataOut(length)
                                        : lu.checkCondition(failure).withCommandDataLength(length));
    }

    /** SPC-4 §6.18.3 COPY STATUS (LID1). */
    static ScsiOutcome copyStatus(LogicalUnit lu, ScsiTask task) {
        Cdb cdb = task.cdb();
        CopyProgress p =
                lu.state(HeldCopyResults.class, HeldCopyResults::new)
                        .takeStatus(task.nexus(), cdb.u8(2));
        if (p == null) { // no copy with this list identifier on this I_T nexus
            throw SenseException.invalidFieldInCdb(2);
        }
        ByteBuffer b = ByteBuffer.allocate(12);
        b.putInt(8);
        int status;
        if (p.inProgress()) {
            status = 0x00; // operation in progress
        } else {
            status =
                    p.completion() == ScsiStatus.GOOD
                            ? 0x01
                            : 0x02; // completed without / with errors
        }
        b.put((byte) status); // HDD=0: no held data
        b.putShort((short) Math.min(0xFFFF, p.segmentsProcessed()));
        long bytes = p.bytesTransferred();
        if (bytes <= 0xFFFFFFFFL) {
            b.put((byte) 0x00).putInt((int) bytes); // TRANSFER COUNT UNITS: bytes
        } else {
            b.put((byte) 0x01).putInt((int) Math.min(0xFFFFFFFFL, bytes >> 10)); // kibibytes
        }
        return ScsiOutcome.dataIn(b.array(), allocation(cdb));
    }

    /** SPC-4 §6.18.4 OPERATING PARAMETERS. */
    static ScsiOutcome operatingParameters(LogicalUnit lu, ScsiTask task) {
        int[] implemented = CopyLimits.IMPLEMENTED_DESCRIPTORS;
        ByteBuffer b = ByteBuffer.allocate(44 + implemented.length);
        b.putInt(b.capacity() - 4); // AVAILABLE DATA
        b.put(4, (byte) 0x01); // SNLID: LIST ID USAGE 11b is supported
        b.putShort(8, (short) CopyLimits.MAX_CSCD_DESCRIPTORS);
        b.putShort(10, (short) CopyLimits.MAX_SEGMENT_DESCRIPTORS);
        b.putInt(12, CopyLimits.MAX_DESCRIPTOR_LIST_LENGTH);
        b.putInt(16, (int) CopyLimits.MAX_SEGMENT_LENGTH);
        b.putInt(20, 0); // MAXIMUM INLINE DATA LENGTH
        b.putInt(24, 0); // HELD DATA LIMIT: no data is held
        b.putInt(28, 0); // MAXIMUM STREAM DEVICE TRANSFER SIZE: no stream devices
        b.putShort(34, (short) CopyLimits.MAX_CONCURRENT_COPIES); // TOTAL CONCURRENT COPIES
        b.put(36, (byte) CopyLimits.MAX_CONCURRENT_COPIES); // MAXIMUM CONCURRENT COPIES
        b.put(37, (byte) 9); // DATA SEGMENT GRANULARITY: 2^9, the smallest block
        b.put(43, (byte) implemented.length);
        for (int i = 0; i < implemented.length; i++) {
            b.put(44 + i, (byte) implemented[i]);
        }
        return ScsiOutcome.dataIn(b.array(), allocation(task.cdb()));
    }

    /**
     * SPC-4 §6.18.5 FAILED SEGMENT DETAILS (LID1): how a finished copy ended, with its sense data.
     */
    static ScsiOutcome failedSegmentDetails(LogicalUnit lu, ScsiTask task) {
        Cdb cdb = task.cdb();
        CopyProgress p =
                lu.state(HeldCopyResults.class, HeldCopyResults::new)
                        .takeFailureDetails(task.nexus(), cdb.u8(2));
        if (p == null) {
            throw SenseException.invalidFieldInCdb(2);
        }
        if (p.inProgress()) { // nothing to report until the copy ends
            return ScsiOutcome.dataIn(new byte[4], allocation(cdb));
        }
        SenseData sense = p.sense();
        byte[] senseBytes = sense == null ? new byte[0] : sense.encode(lu.descriptorSense());
        ByteBuffer b = ByteBuffer.allocate(60 + senseBytes.length);
        b.putInt(b.capacity() - 4);
        b.put(56, (byte) p.completion().code()); // EXTENDED COPY COMPLETION STATUS
        b.putShort(58, (short) senseBytes.length);
        b.put(60, senseBytes);
        return ScsiOutcome.dataIn(b.array(), allocation(cdb));
    }

    private static int allocation(Cdb cdb) {
        return (int) Math.min(Integer.MAX_VALUE, cdb.u32(10));
    }
}
