package org.iscsilab.core.lu;

import java.util.List;

/** The target device a logical unit belongs to, as the unit sees it. */
public interface LunInventory {
    /** SPC-5 §6.33 REPORT LUNS for the whole target device. */
    ScsiOutcome reportLuns(ScsiTask task);

    /** Every logical unit of the target device: the copy targets an EXTENDED COPY can reach. */
    List<LogicalUnit> logicalUnits();
}
