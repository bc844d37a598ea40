package org.iscsilab.testkit;

import java.time.Instant;

/**
 * A task management request (RFC 7143 §11.5) and the target's answer.
 *
 * @param sequence the event's place in the log, from 1
 * @param time when the target recorded it
 * @param initiator the initiator's iSCSI name
 * @param tsih the session it came in
 * @param lun the LUN it named
 * @param function the function, e.g. "function 1" for ABORT TASK (RFC 7143 §11.5.1)
 * @param response the response sent, e.g. "response 0" (function complete), or "unanswered"
 */
public record TaskManagementEvent(
        long sequence,
        Instant time,
        String initiator,
        int tsih,
        int lun,
        String function,
        String response)
        implements TargetEvent {}
