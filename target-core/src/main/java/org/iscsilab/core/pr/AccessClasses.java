package org.iscsilab.core.pr;

import org.iscsilab.scsi.ScsiOpcode;

/**
 * Which {@link AccessClass} each supported operation code belongs to (SPC-4 §5.12.1 table 59, SBC-4
 * table 13).
 */
public final class AccessClasses {
    private AccessClasses() {}

    public static AccessClass of(int opcode) {
        return switch (opcode) {
            case ScsiOpcode.INQUIRY,
                    ScsiOpcode.REPORT_LUNS,
                    ScsiOpcode.REQUEST_SENSE,
                    ScsiOpcode.MAINTENANCE_IN,
                    ScsiOpcode.PERSISTENT_RESERVE_IN,
                    ScsiOpcode.READ_CAPACITY_10,
                    ScsiOpcode.SERVICE_ACTION_IN_16,
                    ScsiOpcode.TEST_UNIT_READY ->
                    AccessClass.ALWAYS;
            case ScsiOpcode.RESERVE_6,
                    ScsiOpcode.RELEASE_6,
                    ScsiOpcode.RESERVE_10,
                    ScsiOpcode.RELEASE_10 ->
                    AccessClass.SPC2_RESERVATION;
            case ScsiOpcode.PERSISTENT_RESERVE_OUT -> AccessClass.PERSISTENT_RESERVE;
            case ScsiOpcode.READ_6,
                    ScsiOpcode.READ_10,
                    ScsiOpcode.READ_12,
                    ScsiOpcode.READ_16,
                    ScsiOpcode.VERIFY_10,
                    ScsiOpcode.VERIFY_12,
                    ScsiOpcode.VERIFY_16,
                    ScsiOpcode.PRE_FETCH_10,
                    ScsiOpcode.PRE_FETCH_16,
                    ScsiOpcode.MODE_SENSE_6,
                    ScsiOpcode.MODE_SENSE_10,
                    ScsiOpcode.THIRD_PARTY_COPY_IN ->
                    AccessClass.READ;
            default -> AccessClass.WRITE;
        };
    }
}
