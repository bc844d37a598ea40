package org.iscsilab.scsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** An additional sense code is its ASC/ASCQ pair; the description only names it. */
class AdditionalSenseTest {
    @Test
    void aPairThisTargetReportsComesBackAsItsNamedCode() {
        assertSame(AdditionalSense.CAPACITY_DATA_HAS_CHANGED, AdditionalSense.of(0x2A, 0x09));
        assertEquals("2A/09 CAPACITY DATA HAS CHANGED", AdditionalSense.of(0x2A, 0x09).toString());
    }

    @Test
    void aPairItNeverReportsIsDescribedByItsNumbers() {
        assertEquals("5D/00 ASC 5DH ASCQ 00H", AdditionalSense.of(0x5D, 0x00).toString());
    }

    @Test
    void codesAreEqualByAscAndAscqWhateverTheirDescription() {
        assertEquals(
                AdditionalSense.UNRECOVERED_READ_ERROR,
                new AdditionalSense(0x11, 0x00, "as another table words it"));
        assertNotEquals(AdditionalSense.UNRECOVERED_READ_ERROR, AdditionalSense.of(0x11, 0x01));
    }
}
