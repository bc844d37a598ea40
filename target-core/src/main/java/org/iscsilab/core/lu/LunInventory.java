package org.iscsilab.core.lu;

import java.util.List;
import org.iscsilab.core.alua.Alua;

/** The target device a logical unit belongs to, as the unit sees it. */
public interface LunInventory {
    /** SPC-5 §6.33 REPORT LUNS for the whole target device. */
    ScsiOutcome reportLuns(ScsiTask task);

    /** Every logical unit of the target device: the copy targets an EXTENDED COPY can reach. */
    List<LogicalUnit> logicalUnits();

    /** The target device's target port groups and their access states (SPC-5 §5.16). */
    Alua alua();
}
