package org.iscsilab.scsi;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

/**
 * An additional sense code and qualifier pair (SPC-5 annex F.2, table F.2). Only the codes this
 * target reports are named here.
 */
public record AdditionalSense(int asc, int ascq, String description) {

    public static final AdditionalSense NO_ADDITIONAL_SENSE =
            new AdditionalSense(0x00, 0x00, "NO ADDITIONAL SENSE INFORMATION");
    public static final AdditionalSense LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE =
            new AdditionalSense(0x04, 0x00, "LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE");
    public static final AdditionalSense ASYMMETRIC_ACCESS_STATE_TRANSITION =
            new AdditionalSense(
                    0x04, 0x0A, "LOGICAL UNIT NOT ACCESSIBLE, ASYMMETRIC ACCESS STATE TRANSITION");
    public static final AdditionalSense TARGET_PORT_IN_STANDBY_STATE =
            new AdditionalSense(
                    0x04, 0x0B, "LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN STANDBY STATE");
    public static final AdditionalSense TARGET_PORT_IN_UNAVAILABLE_STATE =
            new AdditionalSense(
                    0x04, 0x0C, "LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN UNAVAILABLE STATE");
    public static final AdditionalSense LOGICAL_UNIT_NOT_READY_OFFLINE =
            new AdditionalSense(0x04, 0x12, "LOGICAL UNIT NOT READY, OFFLINE");
    public static final AdditionalSense SANITIZE_IN_PROGRESS =
            new AdditionalSense(0x04, 0x1B, "LOGICAL UNIT NOT READY, SANITIZE IN PROGRESS");
    public static final AdditionalSense UNRECOVERED_READ_ERROR =
            new AdditionalSense(0x11, 0x00, "UNRECOVERED READ ERROR");
    public static final AdditionalSense WRITE_ERROR =
            new AdditionalSense(0x0C, 0x00, "WRITE ERROR");
    public static final AdditionalSense INVALID_FIELD_IN_INFORMATION_UNIT =
            new AdditionalSense(0x0E, 0x03, "INVALID FIELD IN INFORMATION UNIT");
    public static final AdditionalSense PARAMETER_LIST_LENGTH_ERROR =
            new AdditionalSense(0x1A, 0x00, "PARAMETER LIST LENGTH ERROR");
    public static final AdditionalSense INVALID_COMMAND_OPERATION_CODE =
            new AdditionalSense(0x20, 0x00, "INVALID COMMAND OPERATION CODE");
    public static final AdditionalSense LBA_OUT_OF_RANGE =
            new AdditionalSense(0x21, 0x00, "LOGICAL BLOCK ADDRESS OUT OF RANGE");
    public static final AdditionalSense INVALID_FIELD_IN_CDB =
            new AdditionalSense(0x24, 0x00, "INVALID FIELD IN CDB");
    public static final AdditionalSense LOGICAL_UNIT_NOT_SUPPORTED =
            new AdditionalSense(0x25, 0x00, "LOGICAL UNIT NOT SUPPORTED");
    public static final AdditionalSense INVALID_FIELD_IN_PARAMETER_LIST =
            new AdditionalSense(0x26, 0x00, "INVALID FIELD IN PARAMETER LIST");
    public static final AdditionalSense WRITE_PROTECTED =
            new AdditionalSense(0x27, 0x00, "WRITE PROTECTED");
    public static final AdditionalSense LOGICAL_UNIT_SOFTWARE_WRITE_PROTECTED =
            new AdditionalSense(0x27, 0x02, "LOGICAL UNIT SOFTWARE WRITE PROTECTED");
    public static final AdditionalSense POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED =
            new AdditionalSense(0x29, 0x00, "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED");
    public static final AdditionalSense POWER_ON_OCCURRED =
            new AdditionalSense(0x29, 0x01, "POWER ON OCCURRED");
    public static final AdditionalSense BUS_DEVICE_RESET_FUNCTION_OCCURRED =
            new AdditionalSense(0x29, 0x03, "BUS DEVICE RESET FUNCTION OCCURRED");
    public static final AdditionalSense I_T_NEXUS_LOSS_OCCURRED =
            new AdditionalSense(0x29, 0x07, "I_T NEXUS LOSS OCCURRED");
    public static final AdditionalSense MODE_PARAMETERS_CHANGED =
            new AdditionalSense(0x2A, 0x01, "MODE PARAMETERS CHANGED");
    public static final AdditionalSense RESERVATIONS_PREEMPTED =
            new AdditionalSense(0x2A, 0x03, "RESERVATIONS PREEMPTED");
    public static final AdditionalSense RESERVATIONS_RELEASED =
            new AdditionalSense(0x2A, 0x04, "RESERVATIONS RELEASED");
    public static final AdditionalSense REGISTRATIONS_PREEMPTED =
            new AdditionalSense(0x2A, 0x05, "REGISTRATIONS PREEMPTED");
    public static final AdditionalSense ASYMMETRIC_ACCESS_STATE_CHANGED =
            new AdditionalSense(0x2A, 0x06, "ASYMMETRIC ACCESS STATE CHANGED");
    public static final AdditionalSense IMPLICIT_ASYMMETRIC_ACCESS_STATE_TRANSITION_FAILED =
            new AdditionalSense(0x2A, 0x07, "IMPLICIT ASYMMETRIC ACCESS STATE TRANSITION FAILED");
    public static final AdditionalSense INVALID_RELEASE_OF_PERSISTENT_RESERVATION =
            new AdditionalSense(0x26, 0x04, "INVALID RELEASE OF PERSISTENT RESERVATION");
    public static final AdditionalSense CAPACITY_DATA_HAS_CHANGED =
            new AdditionalSense(0x2A, 0x09, "CAPACITY DATA HAS CHANGED");
    public static final AdditionalSense COMMANDS_CLEARED_BY_ANOTHER_INITIATOR =
            new AdditionalSense(0x2F, 0x00, "COMMANDS CLEARED BY ANOTHER INITIATOR");
    public static final AdditionalSense SAVING_PARAMETERS_NOT_SUPPORTED =
            new AdditionalSense(0x39, 0x00, "SAVING PARAMETERS NOT SUPPORTED");
    public static final AdditionalSense NOT_READY_TO_READY_CHANGE =
            new AdditionalSense(0x28, 0x00, "NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED");
    public static final AdditionalSense MEDIUM_REMOVAL_PREVENTED =
            new AdditionalSense(0x53, 0x02, "MEDIUM REMOVAL PREVENTED");
    public static final AdditionalSense MEDIUM_NOT_PRESENT =
            new AdditionalSense(0x3A, 0x00, "MEDIUM NOT PRESENT");
    public static final AdditionalSense REPORTED_LUNS_DATA_HAS_CHANGED =
            new AdditionalSense(0x3F, 0x0E, "REPORTED LUNS DATA HAS CHANGED");
    public static final AdditionalSense INTERNAL_TARGET_FAILURE =
            new AdditionalSense(0x44, 0x00, "INTERNAL TARGET FAILURE");
    public static final AdditionalSense PROTOCOL_SERVICE_CRC_ERROR =
            new AdditionalSense(0x47, 0x05, "PROTOCOL SERVICE CRC ERROR");

    /** RFC 7143 §7.6: tasks an iSCSI protocol event terminated without a response. */
    public static final AdditionalSense SOME_COMMANDS_CLEARED_BY_ISCSI_PROTOCOL_EVENT =
            new AdditionalSense(0x47, 0x7F, "SOME COMMANDS CLEARED BY ISCSI PROTOCOL EVENT");

    public static final AdditionalSense INITIATOR_DETECTED_ERROR =
            new AdditionalSense(0x48, 0x00, "INITIATOR DETECTED ERROR MESSAGE RECEIVED");
    public static final AdditionalSense INVALID_MESSAGE_ERROR =
            new AdditionalSense(0x49, 0x00, "INVALID MESSAGE ERROR");
    public static final AdditionalSense DATA_PHASE_ERROR =
            new AdditionalSense(0x4B, 0x00, "DATA PHASE ERROR");
    public static final AdditionalSense INVALID_TARGET_PORT_TRANSFER_TAG =
            new AdditionalSense(0x4B, 0x01, "INVALID TARGET PORT TRANSFER TAG RECEIVED");
    public static final AdditionalSense TOO_MUCH_WRITE_DATA =
            new AdditionalSense(0x4B, 0x02, "TOO MUCH WRITE DATA");
    public static final AdditionalSense DATA_OFFSET_ERROR =
            new AdditionalSense(0x4B, 0x05, "DATA OFFSET ERROR");
    public static final AdditionalSense OPERATION_IN_PROGRESS =
            new AdditionalSense(0x00, 0x16, "OPERATION IN PROGRESS");
    public static final AdditionalSense COPY_TARGET_DEVICE_NOT_REACHABLE =
            new AdditionalSense(0x0D, 0x02, "COPY TARGET DEVICE NOT REACHABLE");
    public static final AdditionalSense INCORRECT_COPY_TARGET_DEVICE_TYPE =
            new AdditionalSense(0x0D, 0x03, "INCORRECT COPY TARGET DEVICE TYPE");
    public static final AdditionalSense TOO_MANY_TARGET_DESCRIPTORS =
            new AdditionalSense(0x26, 0x06, "TOO MANY TARGET DESCRIPTORS");
    public static final AdditionalSense UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE =
            new AdditionalSense(0x26, 0x07, "UNSUPPORTED TARGET DESCRIPTOR TYPE CODE");
    public static final AdditionalSense TOO_MANY_SEGMENT_DESCRIPTORS =
            new AdditionalSense(0x26, 0x08, "TOO MANY SEGMENT DESCRIPTORS");
    public static final AdditionalSense UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE =
            new AdditionalSense(0x26, 0x09, "UNSUPPORTED SEGMENT DESCRIPTOR TYPE CODE");
    public static final AdditionalSense INLINE_DATA_LENGTH_EXCEEDED =
            new AdditionalSense(0x26, 0x0B, "INLINE DATA LENGTH EXCEEDED");
    public static final AdditionalSense COPY_SEGMENT_GRANULARITY_VIOLATION =
            new AdditionalSense(0x26, 0x0D, "COPY SEGMENT GRANULARITY VIOLATION");
    public static final AdditionalSense INSUFFICIENT_RESOURCES =
            new AdditionalSense(0x55, 0x03, "INSUFFICIENT RESOURCES");
    public static final AdditionalSense MISCOMPARE_DURING_VERIFY =
            new AdditionalSense(0x1D, 0x00, "MISCOMPARE DURING VERIFY OPERATION");

    public AdditionalSense {
        if (asc < 0 || asc > 0xFF || ascq < 0 || ascq > 0xFF) {
            throw new IllegalArgumentException("ASC/ASCQ must be bytes");
        }
    }

    /**
     * The named code for an ASC/ASCQ pair, or one described by its numbers when this target never
     * reports it.
     */
    public static AdditionalSense of(int asc, int ascq) {
        AdditionalSense named = Named.BY_CODE.get(asc << 8 | ascq);
        return named != null
                ? named
                : new AdditionalSense(asc, ascq, String.format("ASC %02XH ASCQ %02XH", asc, ascq));
    }

    /** Two codes are the same code when their ASC and ASCQ are: the description is a label. */
    @Override
    public boolean equals(Object o) {
        return o instanceof AdditionalSense a && a.asc == asc && a.ascq == ascq;
    }

    @Override
    public int hashCode() {
        return asc << 8 | ascq;
    }

    /** The constants above by ASC << 8 | ASCQ, found once. */
    private static final class Named {
        static final Map<Integer, AdditionalSense> BY_CODE = byCode();

        private static Map<Integer, AdditionalSense> byCode() {
            Map<Integer, AdditionalSense> m = new HashMap<>();
            for (Field f : AdditionalSense.class.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == AdditionalSense.class) {
                    try {
                        AdditionalSense a = (AdditionalSense) f.get(null);
                        m.putIfAbsent(a.hashCode(), a);
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            return Map.copyOf(m);
        }
    }

    @Override
    public String toString() {
        return String.format("%02X/%02X %s", asc, ascq, description);
    }
}
