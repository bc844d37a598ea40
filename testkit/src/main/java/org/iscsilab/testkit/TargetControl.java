package org.iscsilab.testkit;

import java.time.Duration;
import java.util.List;

/**
 * What a test does to a running target besides I/O: fault rules, the event log, and LUNs added,
 * removed, resized, write-protected, ejected or loaded. One interface, two ways in: {@link
 * IscsiTarget} in the test's JVM, and {@link #remote} over a target's admin API (a container, or
 * {@code iscsilab target} elsewhere), so a test moves between them by changing one line.
 *
 * <pre>{@code
 * try (IscsiTarget target = IscsiTarget.builder().lun("ram:1M").start();
 *         BlockDevice disk = target.connect(0)) {
 *     TargetControl control = target; // or TargetControl.remote("127.0.0.1:9260")
 *     FaultHandle rule = control.add(Faults.mediumError().lun(0).lbas(5, 5).reads());
 *     assertThrows(ScsiCommandException.class, () -> disk.read(5, 1));
 *     assertEquals(1, rule.fired());
 *     assertEquals(1, control.events().commands().opcode(ScsiOpcode.READ_16)
 *             .status("CHECK_CONDITION").count());
 *     rule.remove();
 *     control.resizeLun(0, 2 << 20); // the disk sees CAPACITY DATA HAS CHANGED
 * }
 * }</pre>
 */
public interface TargetControl {
    /**
     * Puts a fault rule in force; the handle counts its firings and removes it.
     *
     * @param fault the rule, built from {@link Faults} and narrowed by scope and trigger
     * @return the handle of the rule now in force: its id, match and firing counts, and its removal
     * @throws IllegalArgumentException if the rule is not one the target takes, naming the part at
     *     fault
     */
    FaultHandle add(Fault fault);

    /** Removes every fault rule. */
    void clearFaults();

    /**
     * A query over what reached the target.
     *
     * @return a query over the event log's logins, logouts, SCSI commands, task management and
     *     faults fired, read each time it is asked
     */
    EventQuery<TargetEvent> events();

    /**
     * The LUN numbers now.
     *
     * @return the numbers of the target's logical units, as REPORT LUNS would list them
     */
    List<Integer> luns();

    /**
     * Adds a LUN from a spec ("ram:64M,thin") as the lowest free number; returns the number.
     *
     * @param spec the LUN's store, capacity and options, as {@code iscsilab target --lun} takes
     *     them
     * @return the number of the new LUN
     */
    int addLun(String spec);

    /**
     * Removes a LUN; the others report REPORTED LUNS DATA HAS CHANGED.
     *
     * @param lun the LUN to remove
     */
    void removeLun(int lun);

    /**
     * Changes a LUN's capacity; initiators see CAPACITY DATA HAS CHANGED.
     *
     * @param lun the LUN to resize
     * @param bytes the new capacity in bytes, a whole number of the LUN's logical blocks
     */
    void resizeLun(int lun, long bytes);

    /**
     * Write-protects a LUN or lifts that; initiators see MODE PARAMETERS CHANGED.
     *
     * @param lun the LUN to change
     * @param readOnly true to write-protect it (writes then end in DATA PROTECT), false to lift
     *     that
     */
    void setReadOnly(int lun, boolean readOnly);

    /**
     * Ejects (false) or loads (true) the medium of a removable LUN.
     *
     * @param lun a LUN whose spec has the {@code removable} option
     * @param loaded true to load the medium (initiators see NOT READY TO READY CHANGE), false to
     *     eject it (commands then end in NOT READY, MEDIUM NOT PRESENT)
     */
    void setMediumLoaded(int lun, boolean loaded);

    /**
     * Returns a LUN to the content and capacity it was made with, so the next test starts from a
     * known disk: a RAM LUN reads as zeros again, a file under an overlay ({@code
     * file:PATH,overlay}) as the file, whose scratch layer is dropped. A capacity that changes back
     * is seen as CAPACITY DATA HAS CHANGED.
     *
     * <pre>{@code
     * @AfterEach void clean() { control.reset(0); }
     * }</pre>
     *
     * @param lun a RAM LUN or a file LUN under an overlay
     * @throws IllegalArgumentException if there is no such LUN, or it is a plain file LUN, whose
     *     writes are in the file
     */
    void reset(int lun);

    /** Resets every LUN that can be reset (RAM and overlay LUNs), as {@link #reset} does. */
    void resetAll();

    /**
     * Copies a LUN's content now, to {@link #restore} later; the target keeps the copy until it is
     * {@link #drop dropped}.
     *
     * @param lun a RAM LUN or a file LUN under an overlay
     * @return the copy's handle
     * @throws IllegalArgumentException if there is no such LUN, or its store cannot be copied
     */
    DiskSnapshot snapshot(int lun);

    /**
     * Puts a LUN's content back as a snapshot found it; a capacity that differs is seen as CAPACITY
     * DATA HAS CHANGED.
     *
     * @param snapshot a copy taken by {@link #snapshot} and not dropped
     * @throws IllegalArgumentException if the copy was dropped, or its LUN was removed since
     */
    void restore(DiskSnapshot snapshot);

    /**
     * Drops a snapshot and the memory it holds.
     *
     * @param snapshot a copy taken by {@link #snapshot}
     * @throws IllegalArgumentException if it was dropped already
     */
    void drop(DiskSnapshot snapshot);

    /**
     * Sets a target port group's asymmetric access state at once (SPC-5 §5.16): commands through
     * its ports are then admitted as that state allows, and every I_T nexus gets ASYMMETRIC ACCESS
     * STATE CHANGED.
     *
     * <pre>{@code
     * control.setAccessState(2, "standby"); // reads through portal group 2: NOT READY 04/0B
     * }</pre>
     *
     * @param group a target port group of the target (its {@code alua:} configuration)
     * @param state active-optimized, active-non-optimized, standby, unavailable, offline or
     *     transitioning
     */
    void setAccessState(int group, String state);

    /**
     * Makes a target port group transitioning for a while, then puts it in {@code state}; with
     * {@code fails} it goes back to its state instead, and the nexuses are told IMPLICIT ASYMMETRIC
     * ACCESS STATE TRANSITION FAILED.
     *
     * @param group a target port group of the target
     * @param state the state the transition ends in (not transitioning)
     * @param transition how long the group is transitioning (NOT READY 04/0A meanwhile)
     * @param fails true for a transition that fails
     */
    void transitionAccessState(int group, String state, Duration transition, boolean fails);

    /**
     * The sessions logged in now, discovery sessions included.
     *
     * @return one entry per session, in no particular order
     */
    List<Session> sessions();

    /**
     * The control of a target through its admin API at HOST[:PORT] or the URL it prints.
     *
     * @param adminAddress where the target's admin API listens, e.g. "127.0.0.1:9260" or
     *     "http://127.0.0.1:9260/api/v1/"
     * @return a control whose calls are requests to that API; a refused change throws with the
     *     API's message and changes nothing
     */
    static TargetControl remote(String adminAddress) {
        return new RemoteTargetControl(adminAddress);
    }
}
