package org.iscsilab.core.sbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.iscsilab.core.LogicalUnits;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.ScsiTestSupport;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.LogicalUnitIdentity;
import org.iscsilab.core.lu.SanitizeProgress;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.UnitFormat;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.store.RamStore;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseKey;
import org.junit.jupiter.api.Test;

/**
 * SANITIZE erases or overwrites the whole medium and holds other commands off while in progress
 * (SBC-4 §5.23).
 */
class SanitizeTest {
    private static final ItNexus NEXUS =
            new ItNexus("iqn.2026-01.org.example:i,i,0x1", "iqn.t,t,0x1");
    private static final int BS = 512;

    private static LogicalUnit unit(ScsiTargetDevice device, Duration duration) {
        LogicalUnit lu =
                LogicalUnits.create(
                        0,
                        LogicalUnitIdentity.derive("t", 0),
                        new RamStore(64 * BS),
                        new UnitFormat(BS, BS, false, true, false, duration),
                        Executors.newSingleThreadExecutor());
        device.addLogicalUnit(lu);
        run(device, Cdb.of(0, 0, 0, 0, 0, 0), 0, null); // power-on unit attention
        return lu;
    }

    private static ScsiOutcome run(ScsiTargetDevice device, Cdb cdb, int edtl, byte[] dataOut) {
        return ScsiTestSupport.run(device, NEXUS, 0, cdb, edtl, dataOut);
    }

    private static byte[] read(ScsiTargetDevice device) {
        ScsiOutcome o = run(device, Cdb.of(0x28, 0, 0, 0, 0, 0, 0, 0, 64, 0), 64 * BS, null);
        byte[] b = new byte[o.dataIn().remaining()];
        o.dataIn().duplicate().get(b);
        return b;
    }

    @Test
    void overwriteFillsEveryBlockWithThePattern() {
        ScsiTargetDevice device = new ScsiTargetDevice("t");
        unit(device, Duration.ZERO);
        byte[] list = new byte[4 + 4];
        list[0] = 0x01; // one pass
        list[3] = 4;
        list[4] = 'a';
        list[5] = 'b';
        list[6] = 'c';
        list[7] = 'd';
        assertEquals(
                ScsiStatus.GOOD,
                run(device, Cdb.of(0x48, 0x01, 0, 0, 0, 0, 0, 0, 8, 0), 8, list).status());
        byte[] expected = new byte[64 * BS];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) "abcd".charAt(i % 4);
        }
        assertArrayEquals(expected, read(device));
    }

    @Test
    void aBadOverwriteParameterListIsAnInvalidFieldInCdb() {
        ScsiTargetDevice device = new ScsiTargetDevice("t");
        unit(device, Duration.ZERO);
        byte[] noPasses = {0, 0, 0, 1, 7};
        ScsiOutcome o = run(device, Cdb.of(0x48, 0x01, 0, 0, 0, 0, 0, 0, 5, 0), 5, noPasses);
        assertEquals(SenseKey.ILLEGAL_REQUEST, o.sense().key());
        assertEquals(AdditionalSense.INVALID_FIELD_IN_CDB.asc(), o.sense().asc());
        ScsiOutcome reserved = run(device, Cdb.of(0x48, 0x02, 0, 1, 0, 0, 0, 0, 0, 0), 0, null);
        assertEquals(AdditionalSense.INVALID_FIELD_IN_CDB.asc(), reserved.sense().asc());
    }

    @Test
    void whileInProgressOtherCommandsAreNotReadyButInquiryIsServed() throws Exception {
        ScsiTargetDevice device = new ScsiTargetDevice("t");
        unit(device, Duration.ofSeconds(2));
        run(device, Cdb.of(0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0), BS, filled(BS));
        // IMMED block erase: status at once, the operation goes on
        assertEquals(
                ScsiStatus.GOOD,
                run(device, Cdb.of(0x48, 0x82, 0, 0, 0, 0, 0, 0, 0, 0), 0, null).status());
        SanitizeProgress sanitizing = device.logicalUnit(0).sanitizeInProgress();
        assertNotNull(sanitizing, "the erase goes on after its status");
        ScsiOutcome tur = run(device, Cdb.of(0, 0, 0, 0, 0, 0), 0, null);
        assertEquals(SenseKey.NOT_READY, tur.sense().key());
        assertEquals(AdditionalSense.SANITIZE_IN_PROGRESS.ascq(), tur.sense().ascq());
        assertEquals((byte) 0x80, tur.encodedSense()[15], "SKSV: a progress indication follows");
        assertEquals(ScsiStatus.GOOD, run(device, Cdb.of(0x12, 0, 0, 0, 36, 0), 36, null).status());
        sanitizing
                .finished()
                .get(30, TimeUnit.SECONDS); // the end of the operation, not a guess at it
        assertEquals(ScsiStatus.GOOD, run(device, Cdb.of(0, 0, 0, 0, 0, 0), 0, null).status());
        assertArrayEquals(new byte[64 * BS], read(device), "a block erase reads back as zeros");
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 0x5A);
        return b;
    }
}
