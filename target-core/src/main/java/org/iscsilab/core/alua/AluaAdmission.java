package org.iscsilab.core.alua;

import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseKey;

/**
 * Which commands a logical unit accepts through a target port in each asymmetric access state
 * (SPC-5 §5.16.2.4.2 to §5.16.2.4.7), and the sense of the others. Both active states accept
 * everything; standby, unavailable and transitioning keep the commands a host needs to find the
 * unit and move it on; offline accepts nothing, as the port is not usable (the sense is the one LIO
 * reports, 04h/12h).
 */
public final class AluaAdmission {
    private AluaAdmission() {}

    /** Null when {@code state} admits the command, else the sense to end it with. */
    public static SenseData check(AccessState state, Cdb cdb) {
        return switch (state) {
            case ACTIVE_OPTIMIZED, ACTIVE_NON_OPTIMIZED -> null;
            case STANDBY ->
                    standbyAccepts(cdb)
                            ? null
                            : notReady(AdditionalSense.TARGET_PORT_IN_STANDBY_STATE);
            case UNAVAILABLE ->
                    unavailableAccepts(cdb)
                            ? null
                            : notReady(AdditionalSense.TARGET_PORT_IN_UNAVAILABLE_STATE);
            case TRANSITIONING ->
                    transitioningAccepts(cdb)
                            ? null
                            : notReady(AdditionalSense.ASYMMETRIC_ACCESS_STATE_TRANSITION);
            case OFFLINE -> notReady(AdditionalSense.LOGICAL_UNIT_NOT_READY_OFFLINE);
        };
    }

    /**
     * SPC-5 §5.16.2.4.4: INQUIRY, LOG SELECT, LOG SENSE, MODE SELECT, MODE SENSE, REPORT LUNS,
     * RECEIVE DIAGNOSTIC RESULTS, SEND DIAGNOSTIC, REPORT and SET TARGET PORT GROUPS, REQUEST
     * SENSE, PERSISTENT RESERVE IN and OUT, and the echo buffer modes of READ and WRITE BUFFER.
     */
    private static boolean standbyAccepts(Cdb cdb) {
        return switch (cdb.opcode()) {
            case ScsiOpcode.LOG_SELECT,
                    ScsiOpcode.LOG_SENSE,
                    ScsiOpcode.MODE_SELECT_6,
                    ScsiOpcode.MODE_SELECT_10,
                    ScsiOpcode.MODE_SENSE_6,
                    ScsiOpcode.MODE_SENSE_10,
                    ScsiOpcode.RECEIVE_DIAGNOSTIC_RESULTS,
                    ScsiOpcode.SEND_DIAGNOSTIC,
                    ScsiOpcode.PERSISTENT_RESERVE_IN,
                    ScsiOpcode.PERSISTENT_RESERVE_OUT ->
                    true;
            default -> unavailableAccepts(cdb);
        };
    }

    /**
     * SPC-5 §5.16.2.4.5: INQUIRY, REPORT LUNS, REPORT and SET TARGET PORT GROUPS, REQUEST SENSE,
     * and the echo buffer modes of READ and WRITE BUFFER.
     */
    private static boolean unavailableAccepts(Cdb cdb) {
        return transitioningAccepts(cdb) || setTargetPortGroups(cdb);
    }

    /**
     * SPC-5 §5.16.2.4.6: INQUIRY, REPORT LUNS, REPORT TARGET PORT GROUPS, REQUEST SENSE, and the
     * echo buffer modes of READ and WRITE BUFFER.
     */
    private static boolean transitioningAccepts(Cdb cdb) {
        return switch (cdb.opcode()) {
            case ScsiOpcode.INQUIRY, ScsiOpcode.REPORT_LUNS, ScsiOpcode.REQUEST_SENSE -> true;
            case ScsiOpcode.MAINTENANCE_IN ->
                    serviceAction(cdb) == ScsiOpcode.SA_REPORT_TARGET_PORT_GROUPS;
            case ScsiOpcode.READ_BUFFER_10, ScsiOpcode.READ_BUFFER_16 ->
                    mode(cdb) == 0x0A || mode(cdb) == 0x0B; // echo buffer, echo buffer descriptor
            case ScsiOpcode.WRITE_BUFFER -> mode(cdb) == 0x0A; // write data to echo buffer
            default -> false;
        };
    }

    private static boolean setTargetPortGroups(Cdb cdb) {
        return cdb.opcode() == ScsiOpcode.MAINTENANCE_OUT
                && serviceAction(cdb) == ScsiOpcode.SA_SET_TARGET_PORT_GROUPS;
    }

    private static int serviceAction(Cdb cdb) {
        return cdb.u8(1) & 0x1F;
    }

    private static int mode(Cdb cdb) {
        return cdb.u8(1) & 0x1F;
    }

    private static SenseData notReady(AdditionalSense why) {
        return SenseData.of(SenseKey.NOT_READY, why);
    }
}
