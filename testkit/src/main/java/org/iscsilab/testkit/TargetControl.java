package org.iscsilab.testkit;

import java.util.List;

/**
 * What a test does to a running target besides I/O: fault rules, the event log, and LUNs added,
 * removed, resized, write-protected, ejected or loaded. One interface, two ways in: {@link
 * IscsiTarget} in the test's JVM, and {@link #remote} over a target's admin API (a container, or
 * {@code iscsilab target} elsewhere), so a test moves between them by changing one line.
 */
public interface TargetControl {
    /** Puts a fault rule in force; the handle counts its firings and removes it. */
    FaultHandle add(Fault fault);

    /** Removes every fault rule. */
    void clearFaults();

    /** A query over what reached the target. */
    EventQuery events();

    /** The LUN numbers now. */
    List<Integer> luns();

    /** Adds a LUN from a spec ("ram:64M,thin") as the lowest free number; returns the number. */
    int addLun(String spec);

    /** Removes a LUN; the others report REPORTED LUNS DATA HAS CHANGED. */
    void removeLun(int lun);

    /** Changes a LUN's capacity; initiators see CAPACITY DATA HAS CHANGED. */
    void resizeLun(int lun, long bytes);

    /** Write-protects a LUN or lifts that; initiators see MODE PARAMETERS CHANGED. */
    void setReadOnly(int lun, boolean readOnly);

    /** Ejects (false) or loads (true) the medium of a removable LUN. */
    void setMediumLoaded(int lun, boolean loaded);

    /**
     * The sessions logged in now, discovery sessions included.
     *
     * @return one entry per session, in no particular order
     */
    List<Session> sessions();

    /** The control of a target through its admin API at HOST[:PORT] or the URL it prints. */
    static TargetControl remote(String adminAddress) {
        return new RemoteTargetControl(adminAddress);
    }
}
