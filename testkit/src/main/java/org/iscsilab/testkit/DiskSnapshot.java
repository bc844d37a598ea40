package org.iscsilab.testkit;

/**
 * A copy of one LUN's content, kept by the target until it is dropped: taken by {@link
 * TargetControl#snapshot}, put back by {@link TargetControl#restore}.
 *
 * @param id the target's number for the copy
 * @param lun the LUN the copy was taken of, and that a restore puts it back on
 */
public record DiskSnapshot(int id, int lun) {}
