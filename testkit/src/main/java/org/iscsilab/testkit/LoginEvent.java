package org.iscsilab.testkit;

import java.time.Instant;

/**
 * A login that ended: accepted, refused, or held by a fault rule.
 *
 * @param sequence the event's place in the log, from 1
 * @param time when the target recorded it
 * @param initiator the initiator's iSCSI name as it gave it
 * @param tsih the session the login made or joined, -1 when it made none
 * @param outcome how it ended: "SUCCESS", "FAILED" (refused by the target), "REFUSED" (by a fault
 *     rule) or "HELD" (frozen by one)
 * @param detail why, for a login that failed: the login status and its reason
 */
public record LoginEvent(
        long sequence, Instant time, String initiator, int tsih, String outcome, String detail)
        implements TargetEvent {}
