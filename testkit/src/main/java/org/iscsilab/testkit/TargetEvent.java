package org.iscsilab.testkit;

import java.time.Instant;
import org.iscsilab.core.fault.EventLog;

/**
 * Something that reached the target, as its event log recorded it: a command, a login, a logout, a
 * task management request, a fault rule firing, or a change of a target port group's access state.
 * Switch over the records, or ask an {@link EventQuery} for one kind:
 *
 * <pre>{@code
 * for (CommandEvent c : target.events().commands().lun(0)) {
 *     System.out.println(c.opcode() + " " + c.lba() + " " + c.status());
 * }
 * }</pre>
 */
public sealed interface TargetEvent
        permits CommandEvent,
                LoginEvent,
                LogoutEvent,
                TaskManagementEvent,
                FaultEvent,
                AccessStateEvent {
    /**
     * The event's place in the log.
     *
     * @return counts every event the target recorded, from 1, so a gap shows what the log's ring
     *     dropped
     */
    long sequence();

    /**
     * When the target recorded it.
     *
     * @return the target's clock at the time of recording
     */
    Instant time();

    /**
     * Who it came from.
     *
     * @return the initiator's iSCSI name, or null when the target did not know it yet
     */
    String initiator();

    /**
     * The session it came in.
     *
     * @return the target session identifying handle, or -1 before a session existed (a refused
     *     login)
     */
    int tsih();

    /**
     * The typed record of one entry of a target's event log.
     *
     * @param e the entry as the event log (or the admin API) gives it
     * @return the record of its kind
     */
    static TargetEvent of(EventLog.Event e) {
        Instant time = Instant.ofEpochMilli(e.timeMillis());
        return switch (e.type()) {
            case COMMAND ->
                    new CommandEvent(
                            e.sequence(),
                            time,
                            e.initiator(),
                            e.tsih(),
                            e.lun(),
                            e.opcode(),
                            e.lba(),
                            e.blocks(),
                            e.status());
            case LOGIN ->
                    new LoginEvent(
                            e.sequence(), time, e.initiator(), e.tsih(), e.status(), e.detail());
            case LOGOUT -> new LogoutEvent(e.sequence(), time, e.initiator(), e.tsih(), e.detail());
            case TASK_MANAGEMENT ->
                    new TaskManagementEvent(
                            e.sequence(),
                            time,
                            e.initiator(),
                            e.tsih(),
                            e.lun(),
                            e.detail(),
                            e.status());
            case FAULT ->
                    new FaultEvent(
                            e.sequence(),
                            time,
                            e.initiator(),
                            e.tsih(),
                            e.lun(),
                            e.opcode(),
                            e.lba(),
                            e.blocks(),
                            e.detail());
            case ALUA -> new AccessStateEvent(e.sequence(), time, e.status(), e.detail());
        };
    }
}
