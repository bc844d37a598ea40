package org.iscsilab.testkit;

import java.time.Instant;

/**
 * A fault rule that fired, and what it fired on.
 *
 * @param sequence the event's place in the log, from 1
 * @param time when the target recorded it
 * @param initiator the initiator whose command or connection it acted on
 * @param tsih that initiator's session, -1 for a login
 * @param lun the LUN of the command it acted on, -1 for a connection or login fault
 * @param opcode the operation code of that command, -1 when there was none
 * @param lba the first logical block of that command, -1 when there was none
 * @param blocks the blocks of that command, 0 when there were none
 * @param rule the rule as the target lists it, its id first, e.g. "#1
 *     medium-error,lun=0,lba=100-199,op=read"
 */
public record FaultEvent(
        long sequence,
        Instant time,
        String initiator,
        int tsih,
        int lun,
        int opcode,
        long lba,
        long blocks,
        String rule)
        implements TargetEvent {}
