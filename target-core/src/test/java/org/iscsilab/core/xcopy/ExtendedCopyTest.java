package org.iscsilab.core.xcopy;

import static org.iscsilab.core.ScsiTestSupport.assertSense;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.iscsilab.core.LogicalUnits;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.ScsiTestSupport;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.LogicalUnitIdentity;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.UnitFormat;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.store.RamStore;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * EXTENDED COPY (LID1) and RECEIVE COPY RESULTS between logical units of one target device (SPC-4
 * §6.4, §6.18).
 */
class ExtendedCopyTest {
    private static final ItNexus NEXUS =
            new ItNexus("iqn.2026-01.org.example:i,i,0x1", "iqn.t,t,0x1");
    private static final int BS = 512;
    private static final long BLOCKS = 1024;
    private ScsiTargetDevice device;
    private LogicalUnit source;
    private LogicalUnit destination;
    private LogicalUnit readOnly;

    @BeforeEach
    void setUp() {
        device = new ScsiTargetDevice("iqn.2026-01.org.example:t");
        source = unit(0, false);
        destination = unit(1, false);
        readOnly = unit(2, true);
        for (LogicalUnit lu : new LogicalUnit[] {source, destination, readOnly}) {
            while (run(lu, Cdb.of(0, 0, 0, 0, 0, 0), 0, null).status() != ScsiStatus.GOOD) {
                // consume the power-on and REPORTED LUNS DATA HAS CHANGED unit attentions
            }
        }
    }

    private LogicalUnit unit(int lun, boolean ro) {
        LogicalUnit lu =
                LogicalUnits.create(
                        lun,
                        LogicalUnitIdentity.derive("t", lun),
                        new RamStore(BLOCKS * BS),
                        new UnitFormat(BS, BS, ro, false),
                        Runnable::run);
        device.addLogicalUnit(lu);
        return lu;
    }

    private ScsiOutcome run(LogicalUnit lu, Cdb cdb, int edtl, byte[] dataOut) {
        return ScsiTestSupport.run(device, NEXUS, lu.lun(), cdb, edtl, dataOut);
    }

    /** Builds an EXTENDED COPY (LID1) parameter list. */
    private static final class ParameterList {
        private final ByteArrayOutputStream cscds = new ByteArrayOutputStream();
        private final ByteArrayOutputStream segments = new ByteArrayOutputStream();
        private int listId = 1;
        private int usage = 0;

        ParameterList listId(int id, int listIdUsage) {
            this.listId = id;
            this.usage = listIdUsage;
            return this;
        }

        /** An identification descriptor naming the unit by its NAA designator. */
        ParameterList cscd(LogicalUnit lu) {
            return cscd(0xE4, lu.identity().designators().get(0).value(), lu.blockSize());
        }

        ParameterList cscd(int type, byte[] naa, int blockLength) {
            ByteBuffer d = ByteBuffer.allocate(32);
            d.put(0, (byte) type).put(4, (byte) 1).put(5, (byte) 3).put(7, (byte) naa.length);
            d.put(8, naa);
            d.put(29, (byte) (blockLength >> 16))
                    .put(30, (byte) (blockLength >> 8))
                    .put(31, (byte) blockLength);
            cscds.writeBytes(d.array());
            return this;
        }

        ParameterList segment(int type, int src, int dst, int blocks, long srcLba, long dstLba) {
            ByteBuffer d = ByteBuffer.allocate(28);
            d.put(0, (byte) type)
                    .putShort(2, (short) 0x18)
                    .putShort(4, (short) src)
                    .putShort(6, (short) dst);
            d.putShort(10, (short) blocks).putLong(12, srcLba).putLong(20, dstLba);
            segments.writeBytes(d.array());
            return this;
        }

        byte[] bytes() {
            ByteBuffer b = ByteBuffer.allocate(16 + cscds.size() + segments.size());
            b.put((byte) listId).put((byte) (usage << 3)).putShort((short) cscds.size());
            b.putInt(8, segments.size());
            b.put(16, cscds.toByteArray()).put(16 + cscds.size(), segments.toByteArray());
            return b.array();
        }
    }

    private ScsiOutcome extendedCopy(LogicalUnit lu, byte[] list, int parameterListLength) {
        return run(
                lu,
                Cdb.of(
                        0x83,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        parameterListLength >>> 24,
                        parameterListLength >> 16,
                        parameterListLength >> 8,
                        parameterListLength,
                        0,
                        0),
                parameterListLength,
                list);
    }

    private ScsiOutcome extendedCopy(LogicalUnit lu, ParameterList list) {
        byte[] b = list.bytes();
        return extendedCopy(lu, b, b.length);
    }

    private ScsiOutcome receiveCopyResults(LogicalUnit lu, int serviceAction, int listId) {
        return run(
                lu,
                Cdb.of(0x84, serviceAction, listId, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0),
                1024,
                null);
    }

    private void write(LogicalUnit lu, long lba, byte[] data) {
        int blocks = data.length / BS;
        assertEquals(
                ScsiStatus.GOOD,
                run(
                                lu,
                                Cdb.of(0x2A, 0, 0, 0, (int) (lba >> 8), (int) lba, 0, 0, blocks, 0),
                                data.length,
                                data)
                        .status());
    }

    private byte[] read(LogicalUnit lu, long lba, int blocks) {
        ScsiOutcome o =
                run(
                        lu,
                        Cdb.of(
                                0x28,
                                0,
                                0,
                                0,
                                (int) (lba >> 8),
                                (int) lba,
                                0,
                                blocks >> 8,
                                blocks,
                                0),
                        blocks * BS,
                        null);
        byte[] b = new byte[o.dataIn().remaining()];
        o.dataIn().duplicate().get(b);
        return b;
    }

    private static byte[] pattern(int blocks, int seed) {
        byte[] b = new byte[blocks * BS];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void copiesBlocksFromOneUnitToAnotherOfTheSameTargetDevice() {
        byte[] data = pattern(16, 7);
        write(source, 10, data);
        ParameterList list =
                new ParameterList().cscd(source).cscd(destination).segment(0x02, 0, 1, 16, 10, 100);
        assertEquals(ScsiStatus.GOOD, extendedCopy(destination, list).status());
        assertArrayEquals(data, read(destination, 100, 16));
    }

    @Test
    void copyStatusReportsSegmentsAndBytesOnceThenForgetsTheList() {
        write(source, 0, pattern(8, 1));
        ParameterList list =
                new ParameterList()
                        .listId(5, 0)
                        .cscd(source)
                        .cscd(destination)
                        .segment(0x02, 0, 1, 8, 0, 0)
                        .segment(0x02, 0, 1, 4, 0, 8);
        assertEquals(ScsiStatus.GOOD, extendedCopy(source, list).status());
        ByteBuffer status = receiveCopyResults(source, 0x00, 5).dataIn();
        assertEquals(8, status.getInt(0), "AVAILABLE DATA");
        assertEquals(0x01, status.get(4), "COPY MANAGER STATUS: completed without errors");
        assertEquals(2, status.getShort(5), "SEGMENTS PROCESSED");
        assertEquals(0x00, status.get(7), "TRANSFER COUNT UNITS: bytes");
        assertEquals(12 * BS, status.getInt(8), "TRANSFER COUNT");
        assertSense(
                receiveCopyResults(source, 0x00, 5),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
    }

    @Test
    void copyStatusOfAnUnknownListIsAnInvalidFieldInCdb() {
        assertSense(
                receiveCopyResults(source, 0x00, 9),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
    }

    @Test
    void resultsAreNotHeldWhenTheListIdUsageSaysSo() {
        ParameterList list =
                new ParameterList().listId(6, 2).cscd(source).segment(0x02, 0, 0, 1, 0, 1);
        assertEquals(ScsiStatus.GOOD, extendedCopy(source, list).status());
        assertSense(
                receiveCopyResults(source, 0x00, 6),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
    }

    @Test
    void aZeroParameterListLengthCopiesNothingAndIsGood() {
        assertEquals(ScsiStatus.GOOD, extendedCopy(source, new byte[0], 0).status());
    }

    @Test
    void aParameterListShorterThanItsDescriptorsIsAParameterListLengthError() {
        byte[] b = new ParameterList().cscd(source).segment(0x02, 0, 0, 1, 0, 1).bytes();
        assertSense(
                extendedCopy(source, b, 16 + 31),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.PARAMETER_LIST_LENGTH_ERROR);
        assertSense(
                extendedCopy(source, b, b.length - 1),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.PARAMETER_LIST_LENGTH_ERROR);
    }

    @Test
    void moreDescriptorsThanTheLimitsAreTooManyDescriptors() {
        ParameterList cscds = new ParameterList();
        for (int i = 0; i <= CopyLimits.MAX_CSCD_DESCRIPTORS; i++) {
            cscds.cscd(source);
        }
        cscds.segment(0x02, 0, 0, 1, 0, 1);
        assertSense(
                extendedCopy(source, cscds),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.TOO_MANY_TARGET_DESCRIPTORS);
        ParameterList segments = new ParameterList().cscd(source);
        for (int i = 0; i <= CopyLimits.MAX_SEGMENT_DESCRIPTORS; i++) {
            segments.segment(0x02, 0, 0, 1, 0, 1);
        }
        assertSense(
                extendedCopy(source, segments),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.TOO_MANY_SEGMENT_DESCRIPTORS);
    }

    @Test
    void descriptorListsLongerThanTheMaximumAreAParameterListLengthError() {
        ParameterList list = new ParameterList().cscd(source);
        for (int i = 0; i < CopyLimits.MAX_DESCRIPTOR_LIST_LENGTH / 28; i++) {
            list.segment(0x02, 0, 0, 1, 0, 1);
        }
        assertSense(
                extendedCopy(source, list),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.PARAMETER_LIST_LENGTH_ERROR);
    }

    @Test
    void unsupportedDescriptorTypesAreNamedBySense() {
        ParameterList fibreChannel =
                new ParameterList().cscd(0xE0, new byte[8], BS).segment(0x02, 0, 0, 1, 0, 1);
        assertSense(
                extendedCopy(source, fibreChannel),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE);
        ParameterList streamToStream =
                new ParameterList().cscd(source).segment(0x03, 0, 0, 1, 0, 1);
        assertSense(
                extendedCopy(source, streamToStream),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE);
    }

    @Test
    void aCscdIndexOrDesignatorThatNamesNoUnitAbortsTheCopyAtThatSegment() {
        ParameterList badIndex =
                new ParameterList()
                        .cscd(source)
                        .segment(0x02, 0, 0, 1, 0, 1)
                        .segment(0x02, 0, 1, 1, 0, 1);
        ScsiOutcome o = extendedCopy(source, badIndex);
        assertSense(o, SenseKey.COPY_ABORTED, AdditionalSense.COPY_TARGET_DEVICE_NOT_REACHABLE);
        assertEquals(1, o.sense().commandSpecific().getAsLong(), "the second segment failed");
        ParameterList stranger =
                new ParameterList()
                        .cscd(0xE4, new byte[] {0x30, 0, 0, 0, 0, 0, 0, 1}, BS)
                        .segment(0x02, 0, 0, 1, 0, 1);
        assertSense(
                extendedCopy(source, stranger),
                SenseKey.COPY_ABORTED,
                AdditionalSense.COPY_TARGET_DEVICE_NOT_REACHABLE);
    }

    @Test
    void aCscdWithAnotherBlockLengthIsAnIncorrectCopyTargetDeviceType() {
        ParameterList list =
                new ParameterList()
                        .cscd(0xE4, source.identity().designators().get(0).value(), 4096)
                        .segment(0x02, 0, 0, 1, 0, 1);
        assertSense(
                extendedCopy(source, list),
                SenseKey.COPY_ABORTED,
                AdditionalSense.INCORRECT_COPY_TARGET_DEVICE_TYPE);
    }

    @Test
    void aDestinationRangePastTheCapacityAbortsTheCopyAndWritesNothing() {
        write(source, 0, pattern(4, 3));
        ParameterList list =
                new ParameterList()
                        .listId(7, 0)
                        .cscd(source)
                        .cscd(destination)
                        .segment(0x02, 0, 1, 4, 0, BLOCKS - 2);
        assertSense(
                extendedCopy(source, list),
                SenseKey.COPY_ABORTED,
                AdditionalSense.NO_ADDITIONAL_SENSE);
        assertArrayEquals(new byte[2 * BS], read(destination, BLOCKS - 2, 2));
        ByteBuffer details = receiveCopyResults(source, 0x04, 7).dataIn();
        assertEquals(
                ScsiStatus.CHECK_CONDITION.code(),
                details.get(56),
                "EXTENDED COPY COMPLETION STATUS");
        assertEquals(18, details.getShort(58), "SENSE DATA LENGTH");
        assertEquals(
                SenseKey.COPY_ABORTED.code(),
                details.get(60 + 2) & 0x0F,
                "the command's sense data");
        ByteBuffer status = receiveCopyResults(source, 0x00, 7).dataIn();
        assertEquals(0x02, status.get(4), "COPY MANAGER STATUS: completed with errors");
        assertEquals(0, status.getShort(5), "no segment was processed");
    }

    @Test
    void aWriteProtectedDestinationAbortsTheCopy() {
        ParameterList list =
                new ParameterList().cscd(source).cscd(readOnly).segment(0x02, 0, 1, 1, 0, 0);
        assertSense(
                extendedCopy(source, list),
                SenseKey.COPY_ABORTED,
                AdditionalSense.NO_ADDITIONAL_SENSE);
    }

    @Test
    void operatingParametersReportTheLimitsAndImplementedDescriptors() {
        ByteBuffer p = receiveCopyResults(source, 0x03, 0).dataIn();
        assertEquals(42, p.getInt(0), "AVAILABLE DATA");
        assertEquals(CopyLimits.MAX_CSCD_DESCRIPTORS, p.getShort(8));
        assertEquals(CopyLimits.MAX_SEGMENT_DESCRIPTORS, p.getShort(10));
        assertEquals(CopyLimits.MAX_DESCRIPTOR_LIST_LENGTH, p.getInt(12));
        assertEquals(2, p.get(43), "IMPLEMENTED DESCRIPTOR LIST LENGTH");
        assertArrayEquals(new byte[] {0x02, (byte) 0xE4}, Arrays.copyOfRange(p.array(), 44, 46));
    }

    @Test
    void theThirdPartyCopyVpdPageHasFourByteAlignedDescriptorsListingTheCommands() {
        ScsiOutcome o = run(source, Cdb.of(0x12, 1, 0x8F, 0x04, 0, 0), 1024, null);
        ByteBuffer page = o.dataIn();
        assertEquals(0x8F, page.get(1) & 0xFF);
        int end = 4 + page.getShort(2);
        assertEquals(page.remaining(), end, "PAGE LENGTH covers the descriptors");
        int at = 4;
        int found = 0;
        while (at < end) {
            int type = page.getShort(at) & 0xFFFF;
            int length = page.getShort(at + 2) & 0xFFFF;
            assertEquals(
                    0,
                    length % 4,
                    "descriptor 0x" + Integer.toHexString(type) + " is padded to 4 bytes");
            if (type == 0x0001) {
                assertEquals(8, page.get(at + 4), "COMMANDS SUPPORTED LIST LENGTH");
                assertEquals(0x83, page.get(at + 5) & 0xFF);
                assertEquals(0x84, page.get(at + 8) & 0xFF);
            }
            found++;
            at += 4 + length;
        }
        assertEquals(
                5,
                found,
                "supported commands, parameter data, descriptors, CSCD IDs, general copy operations");
    }
}
