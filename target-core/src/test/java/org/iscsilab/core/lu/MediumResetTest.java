package org.iscsilab.core.lu;

import static org.iscsilab.core.ScsiTestSupport.assertSense;
import static org.iscsilab.core.ScsiTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.iscsilab.core.LogicalUnits;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.ScsiTestSupport;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.store.BackingStore;
import org.iscsilab.core.store.FileStore;
import org.iscsilab.core.store.OverlayStore;
import org.iscsilab.core.store.RamStore;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A unit remembers the medium it was made with, and a reset puts that medium back. */
class MediumResetTest {
    private static final ItNexus NEXUS =
            new ItNexus("iqn.2026-01.org.example:i,i,0x1", "iqn.t,t,0x1");
    private static final int BLOCKS = 64;

    @TempDir Path dir;

    private final ScsiTargetDevice device = new ScsiTargetDevice("iqn.2026-01.org.example:t");

    private LogicalUnit unit(BackingStore store) {
        LogicalUnit lu =
                LogicalUnits.create(
                        0,
                        LogicalUnitIdentity.derive("iqn.2026-01.org.example:t", 0),
                        store,
                        512,
                        false,
                        Runnable::run);
        device.addLogicalUnit(lu);
        // the new nexus's POWER ON unit attention, out of the way
        run(Cdbs.testUnitReady(), 0, null);
        return lu;
    }

    private ScsiOutcome run(byte[] cdb, int edtl, byte[] dataOut) {
        return ScsiTestSupport.run(device, NEXUS, 0, Cdb.adopting(cdb), edtl, dataOut);
    }

    private void write(long lba, byte fill) {
        byte[] block = new byte[512];
        Arrays.fill(block, fill);
        assertEquals(ScsiStatus.GOOD, run(Cdbs.write10(lba, 1, false), 512, block).status());
    }

    private byte[] read(long lba) {
        return bytes(run(Cdbs.read10(lba, 1), 512, null));
    }

    @Test
    void aResetRamUnitReadsAsZerosAgain() {
        LogicalUnit lu = unit(new RamStore(BLOCKS * 512));
        write(7, (byte) 0x5A);
        assertEquals(0x5A, read(7)[0]);

        lu.resetMedium();

        assertArrayEquals(new byte[512], read(7));
        write(7, (byte) 0x11); // and it takes writes again, which a second reset undoes too
        lu.resetMedium();
        assertArrayEquals(new byte[512], read(7));
    }

    @Test
    void aResetOverlayReadsAsTheFileUnderIt() throws IOException {
        Path file = dir.resolve("base.img");
        byte[] base = new byte[BLOCKS * 512];
        Arrays.fill(base, (byte) 0x33);
        Files.write(file, base);
        LogicalUnit lu = unit(new OverlayStore(file, 0));
        write(3, (byte) 0x77);
        assertEquals(0x77, read(3)[0]);

        lu.resetMedium();

        assertEquals(0x33, read(3)[0]);
        assertArrayEquals(
                base, Files.readAllBytes(file), "the file under the overlay never changed");
    }

    @Test
    void undoingAResizeIsACapacityChangeEveryNexusHears() throws IOException {
        LogicalUnit lu = unit(new RamStore(BLOCKS * 512));
        lu.resize(2L * BLOCKS * 512);
        run(Cdbs.testUnitReady(), 0, null); // the resize's CAPACITY DATA HAS CHANGED

        lu.resetMedium();

        assertEquals(BLOCKS, lu.blockCount());
        assertSense(
                run(Cdbs.testUnitReady(), 0, null),
                SenseKey.UNIT_ATTENTION,
                AdditionalSense.CAPACITY_DATA_HAS_CHANGED);
    }

    @Test
    void aPlainFileUnitCannotBeResetAndSaysWhy() throws IOException {
        LogicalUnit lu = unit(new FileStore(dir.resolve("plain.img"), BLOCKS * 512, false));
        write(1, (byte) 0x42);

        assertFalse(lu.resettable());
        IllegalStateException e = assertThrows(IllegalStateException.class, lu::resetMedium);
        assertTrue(e.getMessage().contains("file:PATH,overlay"), e.getMessage());
        assertEquals(0x42, read(1)[0], "the refused reset changed nothing");
    }
}
