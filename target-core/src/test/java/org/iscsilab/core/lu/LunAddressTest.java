package org.iscsilab.core.lu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.iscsilab.scsi.LunAddress;
import org.junit.jupiter.api.Test;

/** SAM-5 §4.7 LUN addressing: peripheral below 256, flat space up to 16383. */
class LunAddressTest {
    @Test
    void peripheralAndFlatSpaceRoundTrip() {
        for (int lun : new int[] {0, 1, 255, 256, 1000, 16383}) {
            assertEquals(lun, LunAddress.decode(LunAddress.encode(lun)));
        }
        assertEquals(0x0001_0000_0000_0000L, LunAddress.encode(1));
        assertEquals(0x4100_0000_0000_0000L, LunAddress.encode(256));
    }

    @Test
    void unsupportedAddressingMethodsDecodeAsMinusOne() {
        assertEquals(-1, LunAddress.decode(0xC100_0000_0000_0000L), "extended addressing");
        assertEquals(-1, LunAddress.decode(0x0001_0000_0000_0001L), "second level");
    }
}
