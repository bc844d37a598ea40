package org.iscsilab.core.lu;

import static org.iscsilab.core.ScsiTestSupport.assertSense;
import static org.iscsilab.core.ScsiTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.iscsilab.core.LogicalUnits;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.ScsiTestSupport;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.store.RamStore;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each supported command's happy path and the exact sense of each rejection (SPC-5, SBC-4). */
class LogicalUnitTest {
    private static final ItNexus NEXUS =
            new ItNexus("iqn.2026-01.org.example:i,i,0x1", "iqn.t,t,0x1");
    private static final long BLOCKS = 2048;
    private ScsiTargetDevice device;
    private LogicalUnit lu;

    @BeforeEach
    void setUp() {
        device = new ScsiTargetDevice("iqn.2026-01.org.example:t");
        lu =
                LogicalUnits.create(
                        0,
                        LogicalUnitIdentity.derive("iqn.2026-01.org.example:t", 0),
                        new RamStore(BLOCKS * 512),
                        512,
                        false,
                        Runnable::run);
        device.addLogicalUnit(lu);
        // the first command of a new nexus reports POWER ON, RESET
        ScsiOutcome first = run(Cdb.of(0, 0, 0, 0, 0, 0), 0, null);
        assertSense(
                first,
                SenseKey.UNIT_ATTENTION,
                AdditionalSense.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
    }

    private ScsiOutcome run(Cdb cdb, int edtl, byte[] dataOut) {
        return run(0, cdb, edtl, dataOut);
    }

    private ScsiOutcome run(int lun, Cdb cdb, int edtl, byte[] dataOut) {
        return ScsiTestSupport.run(device, NEXUS, lun, cdb, edtl, dataOut);
    }

    private static Cdb rw10(int op, long lba, int blocks, int flags) {
        return Cdb.of(
                op,
                flags,
                (int) (lba >> 24),
                (int) (lba >> 16),
                (int) (lba >> 8),
                (int) lba,
                0,
                blocks >> 8,
                blocks,
                0);
    }

    @Test
    void testUnitReadyIsGoodOnceTheUnitAttentionIsReported() {
        assertEquals(ScsiStatus.GOOD, run(Cdb.of(0, 0, 0, 0, 0, 0), 0, null).status());
    }

    @Test
    void standardInquiryNamesVendorProductAndVersion() {
        byte[] d = bytes(run(Cdb.of(0x12, 0, 0, 0, 96, 0), 96, null));
        assertEquals(0x00, d[0], "direct-access block device");
        assertEquals(0x06, d[2], "SPC-4");
        assertEquals("ISCSILAB", new String(d, 8, 8, StandardCharsets.US_ASCII));
        assertEquals("EMULATED DISK   ", new String(d, 16, 16, StandardCharsets.US_ASCII));
    }

    @Test
    void inquiryIsTruncatedToTheAllocationLength() {
        assertEquals(5, bytes(run(Cdb.of(0x12, 0, 0, 0, 5, 0), 5, null)).length);
    }

    @Test
    void inquiryWithAPageCodeButNoEvpdIsAnInvalidFieldInCdb() {
        ScsiOutcome o = run(Cdb.of(0x12, 0, 0x80, 0, 255, 0), 255, null);
        assertSense(o, SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_CDB);
        assertEquals(2, o.sense().fieldPointer().byteOffset());
    }

    @Test
    void vpdPagesListSerialAndNaaDesignator() {
        byte[] supported = bytes(run(Cdb.of(0x12, 1, 0x00, 0, 255, 0), 255, null));
        assertArrayEquals(
                new byte[] {
                    0x00,
                    (byte) 0x80,
                    (byte) 0x83,
                    (byte) 0x8F,
                    (byte) 0xB0,
                    (byte) 0xB1,
                    (byte) 0xB2
                },
                Arrays.copyOfRange(supported, 4, 11));
        byte[] serial = bytes(run(Cdb.of(0x12, 1, 0x80, 0, 255, 0), 255, null));
        assertEquals(
                lu.identity().serial(),
                new String(serial, 4, serial[3], StandardCharsets.US_ASCII));
        byte[] ids = bytes(run(Cdb.of(0x12, 1, 0x83, 0, 255, 0), 255, null));
        assertEquals(3, ids[5] & 0x0F, "first designator is NAA");
        assertEquals(3, (ids[8] & 0xF0) >> 4, "NAA 3h: locally assigned");
        byte[] limits = bytes(run(Cdb.of(0x12, 1, 0xB0, 0, 255, 0), 255, null));
        assertEquals(0x3C, limits[3]);
        assertEquals(64 << 20, ByteBuffer.wrap(limits).getInt(8) * 512, "MAXIMUM TRANSFER LENGTH");
    }

    @Test
    void anUnsupportedVpdPageIsAnInvalidFieldInCdb() {
        assertSense(
                run(Cdb.of(0x12, 1, 0x99, 0, 255, 0), 255, null),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
    }

    @Test
    void readCapacityTenAndSixteen() {
        ByteBuffer c10 =
                ByteBuffer.wrap(bytes(run(Cdb.of(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), 8, null)));
        assertEquals(BLOCKS - 1, c10.getInt(0));
        assertEquals(512, c10.getInt(4));
        ByteBuffer c16 =
                ByteBuffer.wrap(
                        bytes(
                                run(
                                        Cdb.of(
                                                0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0,
                                                0),
                                        32,
                                        null)));
        assertEquals(BLOCKS - 1, c16.getLong(0));
        assertEquals(512, c16.getInt(8));
    }

    @Test
    void readCapacityTenWithAnLbaButNoPmiIsInvalid() {
        assertSense(
                run(Cdb.of(0x25, 0, 0, 0, 0, 1, 0, 0, 0, 0), 8, null),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
    }

    @Test
    void writeThenReadReturnsTheSameBytes() {
        byte[] data = new byte[1024];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        assertEquals(ScsiStatus.GOOD, run(rw10(0x2A, 100, 2, 0), 1024, data).status());
        assertArrayEquals(data, bytes(run(rw10(0x28, 100, 2, 0), 1024, null)));
    }

    @Test
    void unwrittenBlocksReadAsZeros() {
        assertArrayEquals(new byte[512], bytes(run(rw10(0x28, 7, 1, 0), 512, null)));
    }

    @Test
    void readAndWritePastTheEndAreLbaOutOfRange() {
        assertSense(
                run(rw10(0x28, BLOCKS - 1, 2, 0), 1024, null),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.LBA_OUT_OF_RANGE);
        assertSense(
                run(rw10(0x2A, BLOCKS, 1, 0), 512, new byte[512]),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.LBA_OUT_OF_RANGE);
        Cdb read16 =
                Cdb.of(0x88, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1, 0, 0);
        assertSense(
                run(read16, 512, null), SenseKey.ILLEGAL_REQUEST, AdditionalSense.LBA_OUT_OF_RANGE);
    }

    @Test
    void zeroBlocksAtTheStartIsGoodButPastTheEndIsOutOfRange() {
        assertEquals(ScsiStatus.GOOD, run(rw10(0x28, 0, 0, 0), 0, null).status());
        assertSense(
                run(rw10(0x28, BLOCKS + 1, 0, 0), 0, null),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.LBA_OUT_OF_RANGE);
    }

    @Test
    void readProtectWithoutProtectionInformationIsInvalid() {
        assertSense(
                run(rw10(0x28, 0, 1, 0x20), 512, null),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
    }

    @Test
    void aSixByteReadOfZeroBlocksMeans256() {
        ScsiOutcome o = run(Cdb.of(0x08, 0, 0, 0, 0, 0), 256 * 512, null);
        assertEquals(256 * 512, o.dataIn().remaining());
    }

    @Test
    void aWriteCarryingLessThanItsCdbWritesOnlyWhatCameAndReportsTheCdbLength() {
        run(rw10(0x2A, 10, 2, 0), 1024, filled(1024, 'a'));
        ScsiOutcome o = run(rw10(0x2A, 10, 2, 0), 512, filled(512, 'b'));
        assertEquals(ScsiStatus.GOOD, o.status());
        assertEquals(1024, o.commandDataLength(), "the transport reports 512 bytes of overflow");
        byte[] back = bytes(run(rw10(0x28, 10, 2, 0), 1024, null));
        assertEquals('b', back[0]);
        assertEquals('a', back[600], "the second block was not written");
    }

    @Test
    void aWriteCarryingAPartialBlockIsAnInvalidFieldInInformationUnit() {
        assertSense(
                run(rw10(0x2A, 10, 1, 0), 200, filled(200, 'x')),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_INFORMATION_UNIT);
    }

    @Test
    void writesToAReadOnlyUnitAreDataProtect() {
        LogicalUnit ro =
                LogicalUnits.create(
                        1,
                        LogicalUnitIdentity.derive("t", 1),
                        new RamStore(1 << 20),
                        512,
                        true,
                        Runnable::run);
        device.addLogicalUnit(ro);
        run(1, Cdb.of(0, 0, 0, 0, 0, 0), 0, null);
        assertSense(
                run(1, rw10(0x2A, 0, 1, 0), 512, new byte[512]),
                SenseKey.DATA_PROTECT,
                AdditionalSense.WRITE_PROTECTED);
        byte[] header = bytes(run(1, Cdb.of(0x1A, 0x08, 0x3F, 0, 255, 0), 255, null));
        assertEquals(0x80, header[2] & 0x80, "MODE SENSE reports WP");
    }

    @Test
    void synchronizeCacheIsGoodAndChecksItsRange() {
        assertEquals(
                ScsiStatus.GOOD, run(Cdb.of(0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0, null).status());
        assertSense(
                run(Cdb.of(0x35, 0, 0, 0, 0x10, 0, 0, 0, 1, 0), 0, null),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.LBA_OUT_OF_RANGE);
    }

    @Test
    void modeSenseReportsTheCachingPageWithWriteCacheOn() {
        byte[] d = bytes(run(Cdb.of(0x1A, 0x08, 0x08, 0, 255, 0), 255, null));
        assertEquals(0, d[3], "DBD: no block descriptor");
        assertEquals(0x08, d[4], "caching page");
        assertEquals(0x04, d[6] & 0x04, "WCE");
        lu.setWriteCacheEnabled(false);
        assertEquals(0, bytes(run(Cdb.of(0x1A, 0x08, 0x08, 0, 255, 0), 255, null))[6] & 0x04);
    }

    @Test
    void modeSenseAllPagesWithBlockDescriptorAndTenByteForm() {
        byte[] six = bytes(run(Cdb.of(0x1A, 0, 0x3F, 0, 255, 0), 255, null));
        assertEquals(8, six[3], "block descriptor length");
        assertEquals(
                512, ByteBuffer.wrap(six).getInt(8) & 0xFFFFFF, "block length in the descriptor");
        assertEquals(six[0] + 1, six.length);
        byte[] ten = bytes(run(Cdb.of(0x5A, 0, 0x3F, 0, 0, 0, 0, 0x01, 0, 0), 256, null));
        assertEquals(ten.length - 2, ByteBuffer.wrap(ten).getShort(0));
    }

    @Test
    void modeSenseOfAnUnknownPageOrSavedValuesIsRejected() {
        assertSense(
                run(Cdb.of(0x1A, 0, 0x19, 0, 255, 0), 255, null),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
        assertSense(
                run(Cdb.of(0x1A, 0, 0xC8, 0, 255, 0), 255, null),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.SAVING_PARAMETERS_NOT_SUPPORTED);
    }

    @Test
    void anUnsupportedOpcodeIsInvalidCommandOperationCode() {
        ScsiOutcome o = run(Cdb.of(0xC9, 0, 0, 0, 0, 0), 0, null);
        assertSense(o, SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_COMMAND_OPERATION_CODE);
        assertEquals(0, o.sense().fieldPointer().byteOffset());
    }

    @Test
    void nacaInTheControlByteIsRejected() {
        assertSense(
                run(Cdb.of(0, 0, 0, 0, 0, 0x04), 0, null),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
    }

    @Test
    void requestSenseReturnsAndClearsAPendingUnitAttention() {
        lu.reset();
        byte[] sense = bytes(run(Cdb.of(0x03, 0, 0, 0, 252, 0), 252, null));
        SenseData s = SenseData.parse(sense);
        assertEquals(SenseKey.UNIT_ATTENTION, s.key());
        assertEquals(0x29, s.asc());
        assertEquals(
                SenseKey.NO_SENSE,
                SenseData.parse(bytes(run(Cdb.of(0x03, 0, 0, 0, 252, 0), 252, null))).key());
    }

    @Test
    void requestSenseInDescriptorFormat() {
        byte[] sense = bytes(run(Cdb.of(0x03, 1, 0, 0, 252, 0), 252, null));
        assertEquals(0x72, sense[0]);
    }

    @Test
    void reportLunsListsEveryLogicalUnitAndRejectsShortAllocations() {
        byte[] d = bytes(run(Cdb.of(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), 256, null));
        assertEquals(8, ByteBuffer.wrap(d).getInt(0));
        assertSense(
                run(Cdb.of(0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0), 8, null),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
        assertSense(
                run(Cdb.of(0xA0, 0, 0x03, 0, 0, 0, 0, 0, 1, 0, 0, 0), 256, null),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
    }

    @Test
    void aLunWithoutALogicalUnitAnswersInquiryWithQualifier3AndAllElseWithNotSupported() {
        byte[] inq = bytes(run(5, Cdb.of(0x12, 0, 0, 0, 36, 0), 36, null));
        assertEquals(0x7F, inq[0] & 0xFF);
        assertSense(
                run(5, Cdb.of(0, 0, 0, 0, 0, 0), 0, null),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.LOGICAL_UNIT_NOT_SUPPORTED);
    }

    @Test
    void descriptorSenseIsUsedWhenTheControlPageAsksForIt() {
        lu.setDescriptorSense(true);
        ScsiOutcome o = run(Cdb.of(0xC9, 0, 0, 0, 0, 0), 0, null);
        assertEquals(0x72, o.encodedSense()[0]);
    }

    @Test
    void aForgottenNexusStartsOverWithPowerOnReset() {
        device.nexusLost(NEXUS);
        assertSense(
                run(Cdb.of(0, 0, 0, 0, 0, 0), 0, null),
                SenseKey.UNIT_ATTENTION,
                AdditionalSense.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
        assertNull(lu.unitAttentions().take(NEXUS));
    }

    private static byte[] filled(int n, char c) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) c);
        return b;
    }

    @Test
    void fixedSenseCarriesTheFieldPointer() {
        byte[] fixed =
                SenseData.illegalRequest(
                                AdditionalSense.INVALID_FIELD_IN_CDB,
                                SenseData.FieldPointer.cdbBit(1, 3))
                        .encodeFixed();
        assertEquals(0x70, fixed[0]);
        assertEquals(0x05, fixed[2]);
        assertEquals(10, fixed[7]);
        assertEquals(0x24, fixed[12]);
        assertEquals((byte) 0xCB, fixed[15], "SKSV, C/D=1 (CDB), BPV, bit 3");
        assertEquals(1, fixed[17]);
        assertTrue(SenseData.parse(fixed).key() == SenseKey.ILLEGAL_REQUEST);
    }

    private ScsiOutcome modeSelect6(byte[] parameters) {
        return run(Cdb.of(0x15, 0x10, 0, 0, parameters.length, 0), parameters.length, parameters);
    }

    @Test
    void modeSelectTurnsTheWriteCacheOffAndTellsOtherNexuses() {
        ItNexus other = new ItNexus("iqn.2026-01.org.example:o,i,0x9", "iqn.t,t,0x1");
        device.execute(
                        new ScsiTask(
                                other,
                                0,
                                Cdb.of(0, 0, 0, 0, 0, 0),
                                1,
                                TaskAttribute.SIMPLE,
                                0,
                                DataOutSource.NONE))
                .join();
        byte[] caching = new byte[4 + 20];
        caching[4] = 0x08;
        caching[5] = 18; // WCE clear
        assertEquals(ScsiStatus.GOOD, modeSelect6(caching).status());
        assertEquals(false, lu.writeCacheEnabled());
        SenseData ua = lu.unitAttentions().take(other);
        assertEquals(AdditionalSense.MODE_PARAMETERS_CHANGED.ascq(), ua.ascq());
        assertNull(lu.unitAttentions().take(NEXUS), "the nexus that changed them is not told");
    }

    @Test
    void modeSelectOfANonChangeableFieldIsAnInvalidFieldInTheParameterList() {
        byte[] caching = new byte[4 + 20];
        caching[4] = 0x08;
        caching[5] = 18;
        caching[6] = 0x04 | 0x01; // WCE and RCD: RCD is not changeable
        ScsiOutcome o = modeSelect6(caching);
        assertSense(o, SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST);
        assertEquals(6, o.sense().fieldPointer().byteOffset());
        assertSense(
                run(Cdb.of(0x15, 0x11, 0, 0, 24, 0), 24, caching),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB); // SP: nothing can be saved
    }

    @Test
    void softwareWriteProtectRefusesWritesAndShowsAsWp() {
        byte[] control = new byte[4 + 12];
        control[4] = 0x0A;
        control[5] = 10;
        control[7] = 0x10; // QUEUE ALGORITHM MODIFIER as it is
        control[8] = 0x08; // SWP
        control[12] = (byte) 0xFF;
        control[13] = (byte) 0xFF;
        assertEquals(ScsiStatus.GOOD, modeSelect6(control).status());
        assertSense(
                run(rw10(0x2A, 0, 1, 0), 512, new byte[512]),
                SenseKey.DATA_PROTECT,
                AdditionalSense.LOGICAL_UNIT_SOFTWARE_WRITE_PROTECTED);
        assertEquals(0x80, bytes(run(Cdb.of(0x1A, 0x08, 0x0A, 0, 255, 0), 255, null))[2] & 0x80);
    }

    @Test
    void aReadFillsTheTransportsOwnDataInBufferAndReturnsThatVeryBuffer() {
        ByteBuffer[] handedOut = new ByteBuffer[1];
        DataInAllocator transport = bytes -> handedOut[0] = ByteBuffer.allocateDirect(bytes);
        ScsiOutcome o =
                device.execute(
                                new ScsiTask(
                                        NEXUS,
                                        0,
                                        rw10(0x28, 0, 8, 0),
                                        1,
                                        TaskAttribute.SIMPLE,
                                        4096,
                                        DataOutSource.NONE,
                                        transport))
                        .join();
        assertEquals(ScsiStatus.GOOD, o.status());
        assertTrue(
                o.dataIn() == handedOut[0],
                "the outcome carries the allocator's buffer, so the transport "
                        + "recognises it and sends it without a copy");
        assertEquals(4096, o.dataIn().remaining());
    }

    @Test
    void theAcaTaskAttributeIsRefusedSinceInquirySaysNormAcaZero() {
        ScsiOutcome o =
                device.execute(
                                new ScsiTask(
                                        NEXUS,
                                        0,
                                        Cdb.of(0, 0, 0, 0, 0, 0),
                                        1,
                                        TaskAttribute.ACA,
                                        0,
                                        DataOutSource.NONE))
                        .join();
        assertSense(o, SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_CDB);
        assertEquals(0, lu.taskSet().size());
    }
}
