package org.iscsilab.core.xcopy;

import java.util.Arrays;
import org.iscsilab.core.lu.Designator;

/**
 * An identification descriptor CSCD descriptor (SPC-4 §6.4.5.5): names a copy target by one of the
 * designators of its Device Identification VPD page. LU ID TYPE and LU IDENTIFIER do not apply to
 * this descriptor type and are ignored; the NUL bit is obsolete (SPC-4 §6.4.5.1).
 *
 * @param diskBlockLength the DISK BLOCK LENGTH of the block device type specific parameters (SPC-4
 *     §6.4.5.2)
 */
record IdentificationCscd(
        int index,
        int peripheralDeviceType,
        int codeSet,
        int association,
        int designatorType,
        byte[] designator,
        int diskBlockLength) {
    static final int LENGTH = 32;
    static final int MAX_DESIGNATOR_LENGTH = 20;

    boolean names(Designator d) {
        return d.matches(codeSet, association, designatorType, designator);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdentificationCscd c
                && c.index == index
                && c.peripheralDeviceType == peripheralDeviceType
                && c.codeSet == codeSet
                && c.association == association
                && c.designatorType == designatorType
                && Arrays.equals(c.designator, designator)
                && c.diskBlockLength == diskBlockLength;
    }

    @Override
    public int hashCode() {
        return index * 31 + Arrays.hashCode(designator);
    }
}
