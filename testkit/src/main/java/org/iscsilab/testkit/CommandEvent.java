package org.iscsilab.testkit;

import java.time.Instant;

/**
 * A SCSI command that ended, with the status it ended with.
 *
 * @param sequence the event's place in the log, from 1
 * @param time when the target recorded it
 * @param initiator the initiator's iSCSI name
 * @param tsih the session it came in
 * @param lun the LUN it was addressed to
 * @param opcode the CDB's operation code, e.g. {@code ScsiOpcode.READ_16}
 * @param lba the first logical block it touched, or -1 for a command without one
 * @param blocks how many logical blocks it touched, 0 for a command without any
 * @param status the SCSI status name, e.g. "GOOD", "CHECK_CONDITION", "BUSY"
 */
public record CommandEvent(
        long sequence,
        Instant time,
        String initiator,
        int tsih,
        int lun,
        int opcode,
        long lba,
        long blocks,
        String status)
        implements TargetEvent {
    /**
     * Whether it ended well.
     *
     * @return true when the status is GOOD
     */
    public boolean good() {
        return "GOOD".equals(status);
    }
}
