package org.iscsilab.target.lu;

/** Answers REPORT LUNS for the target device a logical unit belongs to. */
@FunctionalInterface
public interface LunInventory {
    ScsiOutcome reportLuns(ScsiTask task);
}
