package org.iscsilab.testkit;

import java.time.Instant;

/**
 * A session that ended with a Logout Request (RFC 7143 §11.14); a connection that is just dropped
 * is not recorded.
 *
 * @param sequence the event's place in the log, from 1
 * @param time when the target recorded it
 * @param initiator the initiator's iSCSI name
 * @param tsih the session that ended
 * @param reason "logout"
 */
public record LogoutEvent(long sequence, Instant time, String initiator, int tsih, String reason)
        implements TargetEvent {}
