package org.iscsilab.core.xcopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.core.lu.Designator;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.pr.AccessClass;
import org.iscsilab.core.pr.Reservations;
import org.iscsilab.core.sbc.MediumAccess;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseException;
import org.iscsilab.scsi.SenseKey;
import org.slf4j.Logger;

/**
 * The copy manager of one logical unit (SPC-4 §6.4): runs the segments of an EXTENDED COPY in
 * order, reading from and writing to logical units of the same target device as copy targets, with
 * the initiator's I_T nexus for their reservation checks.
 *
 * <p>Errors found while processing a segment end the command with COPY ABORTED (SPC-4 §6.4.4) and
 * the number of the failed segment in COMMAND-SPECIFIC INFORMATION: a CSCD that names no logical
 * unit is COPY TARGET DEVICE NOT REACHABLE; a copy target refusing the access (range, write
 * protection, medium, reservation, I/O) is NO ADDITIONAL SENSE INFORMATION, and the copy target's
 * own condition is logged.
 */
final class CopyManager {
    private static final Logger log = TargetLog.get(CopyManager.class);

    private CopyManager() {}

    /** Runs the copy on the I/O executor; completes with null on success or the command's sense. */
    static CompletableFuture<SenseData> run(
            LogicalUnit manager, ItNexus nexus, CopyParameterList list) {
        CopyProgress progress =
                manager.state(HeldCopyResults.class, HeldCopyResults::new).begin(nexus, list);
        return manager.offload(
                () -> {
                    SenseData failure = null;
                    try {
                        for (BlockToBlockSegment segment : list.segments()) {
                            copySegment(manager, nexus, list, segment, progress);
                        }
                    } catch (CopyAborted e) {
                        failure = e.sense;
                    } catch (RuntimeException | Error e) {
                        log.error(
                                "LUN {}: EXTENDED COPY list {} failed",
                                manager.lun(),
                                list.listId(),
                                e);
                        failure =
                                SenseData.of(
                                        SenseKey.HARDWARE_ERROR,
                                        AdditionalSense.INTERNAL_TARGET_FAILURE);
                    }
                    progress.completed(
                            failure == null ? ScsiStatus.GOOD : ScsiStatus.CHECK_CONDITION,
                            failure);
                    manager.state(HeldCopyResults.class, HeldCopyResults::new)
                            .finish(nexus, list, progress);
                    return failure;
                });
    }

    private static void copySegment(
            LogicalUnit manager,
            ItNexus nexus,
            CopyParameterList list,
            BlockToBlockSegment segment,
            CopyProgress progress) {
        LogicalUnit source = copyTarget(manager, list, segment.sourceIndex(), segment);
        LogicalUnit destination = copyTarget(manager, list, segment.destinationIndex(), segment);
        int sourceBlock = source.blockSize();
        int destinationBlock = destination.blockSize();
        long bytes =
                (long) segment.blocks()
                        * (segment.destinationCount() ? destinationBlock : sourceBlock);
        // SPC-4 §6.4.6.5: the byte count must be whole blocks on both copy targets
        if (bytes % sourceBlock != 0
                || bytes % destinationBlock != 0
                || bytes > CopyLimits.MAX_SEGMENT_LENGTH) {
            throw new CopyAborted(segment, AdditionalSense.COPY_SEGMENT_GRANULARITY_VIOLATION);
        }
        try {
            checkAccess(source, nexus, AccessClass.READ, segment.sourceLba(), bytes / sourceBlock);
            checkAccess(
                    destination,
                    nexus,
                    AccessClass.WRITE,
                    segment.destinationLba(),
                    bytes / destinationBlock);
            MediumAccess.requireWritable(destination);
            boolean durable = !destination.writeCacheEnabled();
            for (long done = 0; done < bytes; ) {
                int chunk = (int) Math.min(CopyLimits.CHUNK_BYTES, bytes - done);
                ByteBuffer data =
                        MediumAccess.read(source, segment.sourceLba() + done / sourceBlock, chunk);
                MediumAccess.write(
                        destination,
                        segment.destinationLba() + done / destinationBlock,
                        data,
                        durable);
                done += chunk;
                progress.bytesMoved(chunk);
            }
            progress.segmentDone();
        } catch (SenseException e) {
            throw copyTargetFailed(manager, segment, e.sense().toString());
        } catch (Reservations.ConflictException e) {
            throw copyTargetFailed(manager, segment, "RESERVATION CONFLICT");
        } catch (IOException e) {
            throw copyTargetFailed(manager, segment, e.toString());
        }
    }

    /** SPC-4 §6.4.5.5: the logical unit of the target device that has the CSCD's designator. */
    private static LogicalUnit copyTarget(
            LogicalUnit manager, CopyParameterList list, int index, BlockToBlockSegment segment) {
        if (index >= list.cscds().size()) {
            throw new CopyAborted(segment, AdditionalSense.COPY_TARGET_DEVICE_NOT_REACHABLE);
        }
        IdentificationCscd cscd = list.cscds().get(index);
        for (LogicalUnit lu : manager.inventory().logicalUnits()) {
            for (Designator d : lu.identity().designators()) {
                if (cscd.names(d)) {
                    // a block-to-block segment needs block devices of the block length the CSCD
                    // states
                    if (cscd.peripheralDeviceType() != 0
                            || cscd.diskBlockLength() != lu.blockSize()) {
                        throw new CopyAborted(
                                segment, AdditionalSense.INCORRECT_COPY_TARGET_DEVICE_TYPE);
                    }
                    return lu;
                }
            }
        }
        throw new CopyAborted(segment, AdditionalSense.COPY_TARGET_DEVICE_NOT_REACHABLE);
    }

    /** What the copy target itself would check for a READ or WRITE from this I_T nexus. */
    private static void checkAccess(
            LogicalUnit lu, ItNexus nexus, AccessClass access, long lba, long blocks) {
        if (lu.sanitizeInProgress() != null) {
            throw new SenseException(lu.sanitizeInProgress().sense());
        }
        if (lu.removable()) {
            lu.medium().requirePresent();
        }
        lu.reservations().checkAccess(nexus, access);
        long count = lu.blockCount();
        if (Long.compareUnsigned(lba, count) >= 0
                || Long.compareUnsigned(blocks, count - lba) > 0) {
            throw SenseException.lbaOutOfRange();
        }
    }

    private static CopyAborted copyTargetFailed(
            LogicalUnit manager, BlockToBlockSegment segment, String condition) {
        log.info(
                "LUN {}: EXTENDED COPY segment {} aborted, copy target reported {}",
                manager.lun(),
                segment.number(),
                condition);
        return new CopyAborted(segment, AdditionalSense.NO_ADDITIONAL_SENSE);
    }

    /** Ends the copy at a segment with COPY ABORTED. */
    private static final class CopyAborted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final transient SenseData sense;

        CopyAborted(BlockToBlockSegment segment, AdditionalSense additional) {
            super(additional.toString(), null, false, false);
            this.sense =
                    SenseData.of(SenseKey.COPY_ABORTED, additional)
                            .withCommandSpecific(segment.number());
        }
    }
}
