package org.iscsilab.scsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** READ and WRITE CDBs built by the layout read back the same, and sit where SBC-4 puts them. */
class ReadWriteLayoutTest {
    @Test
    void whatIsBuiltReadsBack() {
        int[][] cases = {
            {ScsiOpcode.READ_10, 0},
            {ScsiOpcode.WRITE_12, 1},
            {ScsiOpcode.WRITE_16, 1},
            {ScsiOpcode.READ_16, 0}
        };
        for (int[] c : cases) {
            ReadWriteLayout l = ReadWriteLayout.of(c[0]);
            long lba = l == ReadWriteLayout.RW16 ? 0x1_2345_6789L : 0x0123_4567L;
            Cdb cdb = new Cdb(l.encode(c[0], lba, 200, c[1] == 1));
            assertEquals(lba, l.lba(cdb));
            assertEquals(200, l.transferLength(cdb));
            assertEquals(c[1] == 1, l.fua(cdb));
            assertEquals(0, l.protect(cdb));
        }
    }

    @Test
    void theBytesAreWhereSbcPutsThem() {
        assertArrayEquals(
                new byte[] {0x28, 0x08, 0x01, 0x02, 0x03, 0x04, 0, 0x00, 0x10, 0},
                ReadWriteLayout.RW10.encode(ScsiOpcode.READ_10, 0x01020304L, 16, true));
        byte[] rw16 =
                ReadWriteLayout.RW16.encode(
                        ScsiOpcode.WRITE_16, 0x0102030405060708L, 0x0A0B0C0D, false);
        assertArrayEquals(
                new byte[] {(byte) 0x8A, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x0A, 0x0B, 0x0C, 0x0D, 0, 0},
                rw16);
    }

    @Test
    void sixByteCdbsCountZeroAs256AndHaveA21BitLba() {
        Cdb cdb = Cdb.of(ScsiOpcode.READ_6, 0xFF, 0xFF, 0xFF, 0, 0);
        assertEquals(0x1F_FFFF, ReadWriteLayout.RW6.lba(cdb), "the top bits of byte 1 are not LBA");
        assertEquals(256, ReadWriteLayout.RW6.transferLength(cdb));
        assertEquals(0, ReadWriteLayout.RW6.encode(ScsiOpcode.WRITE_6, 5, 256, false)[4]);
        assertThrows(
                IllegalArgumentException.class,
                () -> ReadWriteLayout.RW6.encode(ScsiOpcode.READ_6, 1 << 21, 1, false));
    }

    @Test
    void lengthsThatDoNotFitAreRefused() {
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        ReadWriteLayout.RW10.encode(
                                                ScsiOpcode.READ_10, 0, 65536, false))
                        .getMessage()
                        .contains("fit"));
        assertThrows(
                IllegalArgumentException.class,
                () -> ReadWriteLayout.RW10.encode(ScsiOpcode.READ_16, 0, 1, false));
        assertThrows(IllegalArgumentException.class, () -> ReadWriteLayout.of(ScsiOpcode.INQUIRY));
    }
}
