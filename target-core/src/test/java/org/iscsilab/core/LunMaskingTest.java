package org.iscsilab.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Set;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A masked initiator sees only its LUNs; to it the others are LUNs without a logical unit (SPC-5
 * §6.7.2).
 */
class LunMaskingTest {
    private static final ItNexus A =
            new ItNexus("iqn.2026-01.org.example:a,i,0x00023d000001", "iqn.t,t,0x1");
    private static final ItNexus B =
            new ItNexus("iqn.2026-01.org.example:b,i,0x00023d000002", "iqn.t,t,0x1");
    private ScsiTargetDevice device;

    @BeforeEach
    void setUp() {
        device = ScsiTestSupport.ramDevice("iqn.t", 3);
    }

    private ScsiOutcome run(ItNexus n, int lun, Cdb cdb) {
        return ScsiTestSupport.run(device, n, lun, cdb, 4096, null);
    }

    private int reportedLuns(ItNexus n) {
        ByteBuffer data = run(n, 0, Cdb.of(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)).dataIn();
        return data.getInt(0) / 8;
    }

    @Test
    void aMaskedInitiatorSeesOnlyItsLunsAndOthersSeeAll() {
        device.masking().restrict("iqn.2026-01.org.example:a", Set.of(1));
        assertEquals(1, reportedLuns(A));
        assertEquals(3, reportedLuns(B));

        ScsiOutcome hidden =
                run(A, 0, Cdb.of(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0)); // READ CAPACITY(10)
        assertEquals(ScsiStatus.CHECK_CONDITION, hidden.status());
        assertEquals(SenseKey.ILLEGAL_REQUEST, hidden.sense().key());
        assertEquals(0x25, hidden.sense().asc(), "LOGICAL UNIT NOT SUPPORTED");
        ScsiOutcome inquiry = run(A, 2, Cdb.of(0x12, 0, 0, 0, 96, 0));
        assertEquals(
                0x7F, inquiry.dataIn().get(0) & 0xFF, "peripheral qualifier 011b, no device type");

        device.masking().lift("iqn.2026-01.org.example:a");
        assertEquals(3, reportedLuns(A));
    }
}
