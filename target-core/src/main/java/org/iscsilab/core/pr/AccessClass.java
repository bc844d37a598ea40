package org.iscsilab.core.pr;

/**
 * How a command touches the medium, which decides whether a reservation held through another I_T
 * nexus lets it through (SPC-4 §5.12.1 table 59, SPC-2 §5.5.1).
 */
public enum AccessClass {
    /** Allowed whatever the reservation: INQUIRY, REPORT LUNS, REQUEST SENSE, READ CAPACITY, ... */
    ALWAYS,
    /** Reads the medium or its state: READ, VERIFY, PRE-FETCH, MODE SENSE, TEST UNIT READY. */
    READ,
    /**
     * Changes the medium or its state: WRITE, WRITE SAME, UNMAP, SYNCHRONIZE CACHE, MODE SELECT,
     * ...
     */
    WRITE,
    /** SPC-2 RESERVE and RELEASE, which have rules of their own. */
    SPC2_RESERVATION,
    /** PERSISTENT RESERVE OUT, which checks its own reservation key instead. */
    PERSISTENT_RESERVE
}
