package org.iscsilab.testkit;

import java.util.List;

/**
 * A running target as a test sees it, wherever it runs: in the test's JVM ({@link IscsiTarget}) or
 * in a container (the iscsilab-testcontainers module). {@link IscsiTargetExtension} runs either, so
 * a test moves between them by changing the line that makes the target.
 */
public interface TestTarget extends AutoCloseable {
    /**
     * Fault rules, the event log and LUN changes of this target.
     *
     * @return the target's control; the same interface in the JVM and over the admin API
     */
    TargetControl control();

    /**
     * Opens a LUN as a disk over a session of its own.
     *
     * @param lun the LUN to open
     * @return the disk, the unit attentions of the new I_T nexus taken and its capacity read
     */
    BlockDevice connect(int lun);

    /**
     * The LUN's iSCSI URL, iscsi://HOST:PORT/IQN/LUN, for clients outside the JVM (libiscsi, QEMU).
     *
     * @param lun the LUN
     * @return the URL
     */
    String url(int lun);

    /**
     * A mark in the target's log, for {@link #logSince}.
     *
     * @return the position of the next line the target logs
     */
    long logMark();

    /**
     * What the target logged since a mark, oldest first.
     *
     * @param mark a value {@link #logMark} returned
     * @return the lines
     */
    List<String> logSince(long mark);

    /** Stops the target. */
    @Override
    void close();
}
