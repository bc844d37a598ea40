package org.iscsilab.core.sbc;

import static org.iscsilab.core.ScsiTestSupport.assertSense;
import static org.iscsilab.core.ScsiTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** SBC-4 commands beyond plain READ/WRITE: their effects and the exact sense of their errors. */
class SbcCommandsTest {
    private static final ItNexus NEXUS =
            new ItNexus("iqn.2026-01.org.example:i,i,0x1", "iqn.t,t,0x1");
    private static final int BS = 512;
    private static final long BLOCKS = 4096;
    private LogicalUnit thin;
    private LogicalUnit full;
    private ScsiTargetDevice device;

    @BeforeEach
    void setUp() {
        device = new ScsiTargetDevice("iqn.2026-01.org.example:t");
        thin =
                LogicalUnits.create(
                        0,
                        LogicalUnitIdentity.derive("t", 0),
                        new RamStore(BLOCKS * BS),
                        BS,
                        false,
                        true,
                        Runnable::run);
        full =
                LogicalUnits.create(
                        1,
                        LogicalUnitIdentity.derive("t", 1),
                        new RamStore(BLOCKS * BS),
                        BS,
                        false,
                        false,
                        Runnable::run);
        device.addLogicalUnit(thin);
        device.addLogicalUnit(full);
        run(thin, Cdb.of(0, 0, 0, 0, 0, 0), 0, null);
        run(full, Cdb.of(0, 0, 0, 0, 0, 0), 0, null);
    }

    private ScsiOutcome run(LogicalUnit lu, Cdb cdb, int edtl, byte[] dataOut) {
        return ScsiTestSupport.run(device, NEXUS, lu.lun(), cdb, edtl, dataOut);
    }

    private static byte[] filled(int n, char c) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) c);
        return b;
    }

    private static Cdb cdb16(int op, int flags, long lba, long blocks) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put(0, (byte) op).put(1, (byte) flags).putLong(2, lba).putInt(10, (int) blocks);
        return new Cdb(b.array());
    }

    private static Cdb compareAndWrite(long lba, int blocks) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put(0, (byte) 0x89).putLong(2, lba).put(13, (byte) blocks);
        return new Cdb(b.array());
    }

    private void write(LogicalUnit lu, long lba, byte[] data) {
        assertEquals(
                ScsiStatus.GOOD,
                run(lu, cdb16(0x8A, 0, lba, data.length / BS), data.length, data).status());
    }

    private byte[] read(LogicalUnit lu, long lba, int blocks) {
        return bytes(run(lu, cdb16(0x88, 0, lba, blocks), blocks * BS, null));
    }

    @Test
    void compareAndWriteWritesWhenTheMediumMatches() {
        write(full, 10, filled(2 * BS, 'A'));
        byte[] data = new byte[4 * BS];
        Arrays.fill(data, 0, 2 * BS, (byte) 'A');
        Arrays.fill(data, 2 * BS, 4 * BS, (byte) 'B');
        assertEquals(ScsiStatus.GOOD, run(full, compareAndWrite(10, 2), 4 * BS, data).status());
        assertArrayEquals(filled(2 * BS, 'B'), read(full, 10, 2));
    }

    @Test
    void compareAndWriteMiscompareNamesTheFirstDifferentByteAndWritesNothing() {
        byte[] medium = filled(2 * BS, 'A');
        medium[700] = 'X';
        write(full, 10, medium);
        byte[] data = new byte[4 * BS];
        Arrays.fill(data, 0, 2 * BS, (byte) 'A');
        Arrays.fill(data, 2 * BS, 4 * BS, (byte) 'B');
        ScsiOutcome o = run(full, compareAndWrite(10, 2), 4 * BS, data);
        assertSense(o, SenseKey.MISCOMPARE, AdditionalSense.MISCOMPARE_DURING_VERIFY);
        assertEquals(700, o.sense().information().getAsLong());
        assertArrayEquals(medium, read(full, 10, 2));
    }

    @Test
    void compareAndWriteOfMoreThanTheBlockLimitIsAnInvalidField() {
        ScsiOutcome o = run(full, compareAndWrite(0, 17), 34 * BS, new byte[34 * BS]);
        assertSense(o, SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_CDB);
        assertEquals(13, o.sense().fieldPointer().byteOffset());
    }

    @Test
    void compareAndWriteWithTheWrongDataOutSizeFails() {
        assertSense(
                run(full, compareAndWrite(0, 1), 4 * BS, new byte[4 * BS]),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
        assertSense(
                run(full, compareAndWrite(0, 0), 2 * BS, new byte[2 * BS]),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
    }

    @Test
    void verifyWithByteCheckComparesAndReportsTheOffset() {
        write(full, 5, filled(BS, 'V'));
        Cdb verify = Cdb.of(0x2F, 0x02, 0, 0, 0, 5, 0, 0, 1, 0);
        assertEquals(ScsiStatus.GOOD, run(full, verify, BS, filled(BS, 'V')).status());
        byte[] other = filled(BS, 'V');
        other[9] = 0;
        ScsiOutcome o = run(full, verify, BS, other);
        assertSense(o, SenseKey.MISCOMPARE, AdditionalSense.MISCOMPARE_DURING_VERIFY);
        assertEquals(9, o.sense().information().getAsLong());
        assertSense(
                run(full, Cdb.of(0x2F, 0x04, 0, 0, 0, 5, 0, 0, 1, 0), BS, other),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
    }

    @Test
    void orWriteOrsTheDataIntoTheMedium() {
        write(full, 3, filled(BS, (char) 0x0F));
        assertEquals(
                ScsiStatus.GOOD,
                run(full, cdb16(0x8B, 0, 3, 1), BS, filled(BS, (char) 0xF0)).status());
        assertArrayEquals(filled(BS, (char) 0xFF), read(full, 3, 1));
    }

    @Test
    void writeSameRepeatsOneBlockAndRejectsZeroBlocks() {
        byte[] block = filled(BS, 'S');
        assertEquals(ScsiStatus.GOOD, run(full, cdb16(0x93, 0, 100, 3), BS, block).status());
        assertArrayEquals(filled(3 * BS, 'S'), read(full, 100, 3));
        assertEquals(
                ScsiStatus.GOOD,
                run(full, cdb16(0x93, 0, BLOCKS - 2, 0), BS, block).status(),
                "zero blocks: to the end of the medium (WSNZ=0)");
        assertArrayEquals(filled(2 * BS, 'S'), read(full, BLOCKS - 2, 2));
        assertSense(
                run(full, cdb16(0x93, 0x08, 100, 1), BS, block),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB); // UNMAP on a fully provisioned unit
    }

    @Test
    void unmapDeallocatesBlocksThatThenReadAsZerosAndShowInGetLbaStatus() {
        write(thin, 0, filled(16 * BS, 'U'));
        ByteBuffer list = ByteBuffer.allocate(24);
        list.putShort(0, (short) 22).putShort(2, (short) 16).putLong(8, 4).putInt(16, 4);
        Cdb unmap = Cdb.of(0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0);
        assertEquals(ScsiStatus.GOOD, run(thin, unmap, 24, list.array()).status());
        assertArrayEquals(new byte[4 * BS], read(thin, 4, 4));
        Cdb getLbaStatus =
                new Cdb(
                        ByteBuffer.allocate(16)
                                .put(0, (byte) 0x9E)
                                .put(1, (byte) 0x12)
                                .putInt(10, 64)
                                .array());
        ByteBuffer status = ByteBuffer.wrap(bytes(run(thin, getLbaStatus, 64, null)));
        assertEquals(0, status.getLong(8), "first descriptor starts at LBA 0");
        assertEquals(4, status.getInt(16), "4 mapped blocks");
        assertEquals(0, status.get(20), "mapped");
        assertEquals(4, status.getLong(24));
        assertEquals(4, status.getInt(32));
        assertEquals(1, status.get(36), "deallocated");
    }

    @Test
    void unmapPastTheEndIsLbaOutOfRangeAndChangesNothing() {
        write(thin, 0, filled(BS, 'K'));
        ByteBuffer list = ByteBuffer.allocate(40);
        list.putShort(0, (short) 38)
                .putShort(2, (short) 32)
                .putLong(8, 0)
                .putInt(16, 1)
                .putLong(24, BLOCKS)
                .putInt(32, 1);
        assertSense(
                run(thin, Cdb.of(0x42, 0, 0, 0, 0, 0, 0, 0, 40, 0), 40, list.array()),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.LBA_OUT_OF_RANGE);
        assertArrayEquals(filled(BS, 'K'), read(thin, 0, 1));
    }

    @Test
    void unmapIsNotACommandOfFullyProvisionedUnits() {
        assertSense(
                run(full, Cdb.of(0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0), 24, new byte[24]),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_COMMAND_OPERATION_CODE);
    }

    @Test
    void readCapacity16ReportsThinProvisioning() {
        Cdb rc16 =
                new Cdb(
                        ByteBuffer.allocate(16)
                                .put(0, (byte) 0x9E)
                                .put(1, (byte) 0x10)
                                .putInt(10, 32)
                                .array());
        assertEquals((byte) 0xC0, bytes(run(thin, rc16, 32, null))[14], "LBPME and LBPRZ");
        assertEquals(0, bytes(run(full, rc16, 32, null))[14]);
    }

    @Test
    void reportSupportedOperationCodesListsEveryCommandAndOneCommandsUsageData() {
        Cdb all = Cdb.of(0xA3, 0x0C, 0x00, 0, 0, 0, 0, 0, 0x10, 0, 0, 0);
        ByteBuffer list = ByteBuffer.wrap(bytes(run(full, all, 4096, null)));
        int n = list.getInt(0) / 8;
        assertEquals(full.offeredCommands().all().size(), n);
        Cdb one = Cdb.of(0xA3, 0x0C, 0x01, 0x28, 0, 0, 0, 0, 0x10, 0, 0, 0);
        byte[] read10 = bytes(run(full, one, 4096, null));
        assertEquals(0x03, read10[1] & 0x07, "supported as the standard says");
        assertEquals(10, read10[3]);
        assertEquals(0x28, read10[4] & 0xFF);
        assertEquals(0x18, read10[5] & 0x18, "DPO and FUA are used");
        assertSense(
                run(full, Cdb.of(0xA3, 0x0C, 0x01, 0x9E, 0, 0x10, 0, 0, 0x10, 0, 0, 0), 4096, null),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB); // 0x9E has service actions
    }

    private static Cdb writeAtomic(long lba, int boundary, int blocks) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put(0, (byte) 0x9C)
                .putLong(2, lba)
                .putShort(10, (short) boundary)
                .putShort(12, (short) blocks);
        return new Cdb(b.array());
    }

    @Test
    void writeAtomicWritesWholeAndRejectsBoundariesAndOversizedTransfers() {
        assertEquals(
                ScsiStatus.GOOD,
                run(full, writeAtomic(20, 0, 2), 2 * BS, filled(2 * BS, 'W')).status());
        assertArrayEquals(filled(2 * BS, 'W'), read(full, 20, 2));
        assertSense(
                run(full, writeAtomic(20, 1, 2), 2 * BS, filled(2 * BS, 'W')),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
        assertSense(
                run(full, writeAtomic(0, 0, 2049), 2049 * BS, new byte[2049 * BS]),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
        assertSense(
                run(full, writeAtomic(20, 0, 2), BS, filled(BS, 'W')),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_INFORMATION_UNIT);
    }

    @Test
    void writeAtomicFollowsThePhysicalBlockAlignment() {
        LogicalUnit lbppb8 =
                LogicalUnits.create(
                        2,
                        LogicalUnitIdentity.derive("t", 2),
                        new RamStore(BLOCKS * BS),
                        new UnitFormat(BS, 4096, false, false),
                        Runnable::run);
        device.addLogicalUnit(lbppb8);
        run(lbppb8, Cdb.of(0, 0, 0, 0, 0, 0), 0, null);
        assertSense(
                run(lbppb8, writeAtomic(1, 0, 8), 8 * BS, new byte[8 * BS]),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
        assertSense(
                run(lbppb8, writeAtomic(0, 0, 1), BS, new byte[BS]),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
        assertEquals(
                ScsiStatus.GOOD,
                run(lbppb8, writeAtomic(8, 0, 8), 8 * BS, new byte[8 * BS]).status());
    }

    @Test
    void readDefectDataReportsEmptyListsInTheAskedFormat() {
        byte[] d = bytes(run(full, Cdb.of(0x37, 0, 0x18 | 0x04, 0, 0, 0, 0, 0, 32, 0), 32, null));
        assertArrayEquals(new byte[] {0, 0x1C, 0, 0}, d);
        assertSense(
                run(full, Cdb.of(0x37, 0, 0x07, 0, 0, 0, 0, 0, 32, 0), 32, null),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
        assertEquals(
                8,
                bytes(run(full, Cdb.of(0xB7, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0), 32, null)).length);
    }

    @Test
    void aRemovableUnitEjectsAndLoadsUnlessRemovalIsPrevented() {
        LogicalUnit cd =
                LogicalUnits.create(
                        3,
                        LogicalUnitIdentity.derive("t", 3),
                        new RamStore(BLOCKS * BS),
                        new UnitFormat(BS, BS, false, false, true),
                        Runnable::run);
        device.addLogicalUnit(cd);
        run(cd, Cdb.of(0, 0, 0, 0, 0, 0), 0, null);
        byte[] inquiry = bytes(run(cd, Cdb.of(0x12, 0, 0, 0, 36, 0), 36, null));
        assertEquals((byte) 0x80, inquiry[1], "RMB");
        Cdb eject = Cdb.of(0x1B, 0, 0, 0, 0x02, 0);
        Cdb load = Cdb.of(0x1B, 0, 0, 0, 0x03, 0);
        Cdb prevent = Cdb.of(0x1E, 0, 0, 0, 1, 0);
        Cdb allow = Cdb.of(0x1E, 0, 0, 0, 0, 0);
        assertEquals(ScsiStatus.GOOD, run(cd, prevent, 0, null).status());
        assertSense(
                run(cd, eject, 0, null),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.MEDIUM_REMOVAL_PREVENTED);
        assertEquals(ScsiStatus.GOOD, run(cd, allow, 0, null).status());
        assertEquals(ScsiStatus.GOOD, run(cd, eject, 0, null).status());
        assertSense(
                run(cd, Cdb.of(0, 0, 0, 0, 0, 0), 0, null),
                SenseKey.NOT_READY,
                AdditionalSense.MEDIUM_NOT_PRESENT);
        assertSense(
                run(cd, cdb16(0x88, 0, 0, 1), BS, null),
                SenseKey.NOT_READY,
                AdditionalSense.MEDIUM_NOT_PRESENT);
        assertEquals(
                ScsiStatus.GOOD,
                run(cd, Cdb.of(0x12, 0, 0, 0, 36, 0), 36, null).status(),
                "INQUIRY needs no medium");
        assertEquals(ScsiStatus.GOOD, run(cd, load, 0, null).status());
        assertEquals(ScsiStatus.GOOD, run(cd, Cdb.of(0, 0, 0, 0, 0, 0), 0, null).status());
    }

    @Test
    void preventionEndsWithLogicalUnitResetAndAFixedUnitCannotEject() {
        LogicalUnit cd =
                LogicalUnits.create(
                        4,
                        LogicalUnitIdentity.derive("t", 4),
                        new RamStore(BLOCKS * BS),
                        new UnitFormat(BS, BS, false, false, true),
                        Runnable::run);
        device.addLogicalUnit(cd);
        run(cd, Cdb.of(0, 0, 0, 0, 0, 0), 0, null);
        assertSense(
                run(full, Cdb.of(0, 0, 0, 0, 0, 0), 0, null),
                SenseKey.UNIT_ATTENTION,
                AdditionalSense.REPORTED_LUNS_DATA_HAS_CHANGED);
        run(cd, Cdb.of(0x1E, 0, 0, 0, 1, 0), 0, null);
        cd.reset();
        run(cd, Cdb.of(0, 0, 0, 0, 0, 0), 0, null); // the reset's unit attention
        assertEquals(ScsiStatus.GOOD, run(cd, Cdb.of(0x1B, 0, 0, 0, 0x02, 0), 0, null).status());
        assertSense(
                run(full, Cdb.of(0x1B, 0, 0, 0, 0x02, 0), 0, null),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
    }

    @Test
    void formatUnitLeavesEveryBlockReadingZerosAndTheThinUnitUnmapped() {
        byte[] data = new byte[8 * BS];
        Arrays.fill(data, (byte) 0x77);
        write(thin, 100, data);
        assertEquals(ScsiStatus.GOOD, run(thin, Cdb.of(0x04, 0, 0, 0, 0, 0), 0, null).status());
        ScsiOutcome r = run(thin, Cdb.of(0x28, 0, 0, 0, 0, 100, 0, 0, 8, 0), 8 * BS, null);
        byte[] back = new byte[8 * BS];
        r.dataIn().duplicate().get(back);
        assertArrayEquals(new byte[8 * BS], back);
        assertEquals(false, thin.provisioning().mapped(100));
        byte[] header = {0, 0, 0, 0}; // FMTDATA with an empty defect list
        assertEquals(
                ScsiStatus.GOOD, run(full, Cdb.of(0x04, 0x10, 0, 0, 0, 0), 4, header).status());
    }

    @Test
    void formatUnitRefusesProtectionInformationDefectsAndInitializationPatterns() {
        ScsiOutcome pi = run(full, Cdb.of(0x04, 0x40, 0, 0, 0, 0), 0, null);
        assertSense(pi, SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_CDB);
        assertEquals(1, pi.sense().fieldPointer().byteOffset());
        ScsiOutcome defects =
                run(
                        full,
                        Cdb.of(0x04, 0x10, 0, 0, 0, 0),
                        12,
                        new byte[] {0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 2});
        assertSense(
                defects, SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST);
        assertEquals(2, defects.sense().fieldPointer().byteOffset());
        ScsiOutcome pattern =
                run(full, Cdb.of(0x04, 0x10, 0, 0, 0, 0), 4, new byte[] {0, (byte) 0x88, 0, 0});
        assertSense(
                pattern, SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST);
        ScsiOutcome noFmtData = run(full, Cdb.of(0x04, 0x08, 0, 0, 0, 0), 0, null);
        assertSense(noFmtData, SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_CDB);
        full.setReadOnly(true);
        run(full, Cdb.of(0, 0, 0, 0, 0, 0), 0, null); // MODE PARAMETERS CHANGED
        assertSense(
                run(full, Cdb.of(0x04, 0, 0, 0, 0, 0), 0, null),
                SenseKey.DATA_PROTECT,
                AdditionalSense.WRITE_PROTECTED);
    }
}
