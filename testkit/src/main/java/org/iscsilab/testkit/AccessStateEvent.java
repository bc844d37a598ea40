package org.iscsilab.testkit;

import java.time.Instant;

/**
 * A target port group's asymmetric access state changed (SPC-5 §5.16): set through the API, by a
 * timed transition, or by SET TARGET PORT GROUPS from an initiator.
 *
 * @param sequence the event's place in the log, from 1
 * @param time when the target recorded it
 * @param state the new access state, e.g. "standby"
 * @param detail which target and group, the state before and why, e.g. "target port group 2 of
 *     iqn.2026-01.org.example:disks: active-optimized -&gt; standby (admin API)"
 */
public record AccessStateEvent(long sequence, Instant time, String state, String detail)
        implements TargetEvent {
    /**
     * No initiator: the target changed the state.
     *
     * @return null
     */
    @Override
    public String initiator() {
        return null;
    }

    /**
     * No session: the change belongs to the target.
     *
     * @return -1
     */
    @Override
    public int tsih() {
        return -1;
    }
}
