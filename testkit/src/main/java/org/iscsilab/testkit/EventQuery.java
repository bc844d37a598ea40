package org.iscsilab.testkit;

import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.core.fault.EventLog.Event;
import org.iscsilab.scsi.ScsiStatus;

/**
 * A question to a target's event log, narrowed step by step and asked with {@link #list} or {@link
 * #count}, so an assertion reads as the sentence it checks:
 *
 * <pre>{@code
 * disk.flush(); // BlockDevice flushes with SYNCHRONIZE CACHE(16)
 * disk.flush();
 * assertEquals(2, target.events().commands().opcode(ScsiOpcode.SYNCHRONIZE_CACHE_16).lun(0).count());
 * }</pre>
 *
 * Immutable: each step returns a new query; the log is read when the query is asked. A query is
 * {@link Iterable} over typed records ({@link CommandEvent}, {@link LoginEvent}, ...), so AssertJ's
 * {@code assertThat(query).hasSize(2)} reads it as a collection.
 *
 * @param <E> the kind of event the query yields: {@link TargetEvent} until narrowed to one kind
 */
public final class EventQuery<E extends TargetEvent> implements Iterable<E> {
    private final Supplier<List<Event>> log;
    private final Predicate<Event> filter;
    private final Class<E> kind;

    /**
     * A query over every event of {@code log}, read each time the query is asked.
     *
     * @param log the entries of a target's event log, oldest first
     * @return a query that every event passes
     */
    static EventQuery<TargetEvent> over(Supplier<List<Event>> log) {
        return new EventQuery<>(log, e -> true, TargetEvent.class);
    }

    private EventQuery(Supplier<List<Event>> log, Predicate<Event> filter, Class<E> kind) {
        this.log = log;
        this.filter = filter;
        this.kind = kind;
    }

    private EventQuery<E> and(Predicate<Event> p) {
        return new EventQuery<>(log, filter.and(p), kind);
    }

    private <K extends TargetEvent> EventQuery<K> only(EventLog.Type type, Class<K> k) {
        return new EventQuery<>(log, filter.and(e -> e.type() == type), k);
    }

    /**
     * SCSI commands, with their status.
     *
     * @return a copy of this query narrowed to COMMAND events, each with its LUN, operation code,
     *     LBA, block count and SCSI status name
     */
    public EventQuery<CommandEvent> commands() {
        return only(EventLog.Type.COMMAND, CommandEvent.class);
    }

    /**
     * Fault rules that fired.
     *
     * @return a copy of this query narrowed to FAULT events, one per firing, with the command it
     *     acted on and the rule in its detail
     */
    public EventQuery<FaultEvent> faults() {
        return only(EventLog.Type.FAULT, FaultEvent.class);
    }

    /**
     * The changes of target port groups' access states.
     *
     * @return a copy of this query narrowed to ALUA events, one per change
     */
    public EventQuery<AccessStateEvent> accessStates() {
        return only(EventLog.Type.ALUA, AccessStateEvent.class);
    }

    /**
     * Logins: accepted, refused by the target, or held by a fault rule.
     *
     * @return a copy of this query narrowed to LOGIN events, whose status is the login's outcome
     *     (e.g. "REFUSED") and whose detail is the reason
     */
    public EventQuery<LoginEvent> logins() {
        return only(EventLog.Type.LOGIN, LoginEvent.class);
    }

    /**
     * Sessions closed by a Logout Request (a dropped connection is not a logout).
     *
     * @return a copy of this query narrowed to LOGOUT events, one per session the target logged out
     *     successfully
     */
    public EventQuery<LogoutEvent> logouts() {
        return only(EventLog.Type.LOGOUT, LogoutEvent.class);
    }

    /**
     * Task management functions the initiators asked for, with the target's response.
     *
     * @return a copy of this query narrowed to TASK_MANAGEMENT events, whose detail names the
     *     function (ABORT TASK, LOGICAL UNIT RESET, ...) and whose status is the Task Management
     *     Function Response
     */
    public EventQuery<TaskManagementEvent> taskManagement() {
        return only(EventLog.Type.TASK_MANAGEMENT, TaskManagementEvent.class);
    }

    /**
     * Events about one LUN: commands to it, task management aimed at it, faults fired on it.
     *
     * @param lun the LUN number; logins and logouts, which have none, never match
     * @return a copy of this query narrowed to events of that LUN
     */
    public EventQuery<E> lun(int lun) {
        return and(e -> e.lun() == lun);
    }

    /**
     * Commands with this operation code (the constants of {@code org.iscsilab.scsi.ScsiOpcode}).
     *
     * @param opcode the first byte of the CDB, e.g. 0x88 for READ(16)
     * @return a copy of this query narrowed to commands, and faults fired on commands, with that
     *     operation code
     */
    public EventQuery<E> opcode(int opcode) {
        return and(e -> e.opcode() == opcode);
    }

    /**
     * Events of one initiator's sessions and logins.
     *
     * @param iqn the initiator's iSCSI name, as its Login Request gave InitiatorName
     * @return a copy of this query narrowed to that initiator's events
     */
    public EventQuery<E> initiator(String iqn) {
        return and(e -> iqn.equals(e.initiator()));
    }

    /**
     * Commands that touch any block from {@code first} to {@code last}.
     *
     * @param first the first logical block address of the range
     * @param last the last logical block address of the range, inclusive
     * @return a copy of this query narrowed to events whose blocks overlap the range; events
     *     without an LBA never match, and a command of 0 blocks counts as touching its LBA
     */
    public EventQuery<E> touching(long first, long last) {
        return and(
                e ->
                        e.lba() >= 0
                                && e.lba() <= last
                                && e.lba() + Math.max(1, e.blocks()) - 1 >= first);
    }

    /**
     * Commands that ended with this status, e.g. "GOOD", "CHECK_CONDITION".
     *
     * @param status the SCSI status name as the log writes it (for task management the response,
     *     for logins the outcome)
     * @return a copy of this query narrowed to events with exactly that status
     */
    public EventQuery<E> status(String status) {
        return and(e -> status.equals(e.status()));
    }

    /**
     * Commands that ended with this SCSI status (SAM-5 §5.3), e.g. {@code ScsiStatus.GOOD}.
     *
     * @param status the status
     * @return a copy of this query narrowed to commands that ended with it
     */
    public EventQuery<E> status(ScsiStatus status) {
        return status(status.name());
    }

    /**
     * Events recorded after this sequence number (see {@link Event#sequence()}).
     *
     * @param sequence a sequence number, e.g. that of the last event before the step under test
     * @return a copy of this query narrowed to events recorded later
     */
    public EventQuery<E> after(long sequence) {
        return and(e -> e.sequence() > sequence);
    }

    /**
     * The matching events still in the log, oldest first.
     *
     * @return the events that pass every step of the query, read from the log now; those the ring
     *     has already dropped are not among them
     */
    public List<E> list() {
        return log.get().stream().filter(filter).map(e -> kind.cast(TargetEvent.of(e))).toList();
    }

    /**
     * The matching events, as {@link #list()} reads them now.
     *
     * @return an iterator over a list read from the log when this is called
     */
    @Override
    public Iterator<E> iterator() {
        return list().iterator();
    }

    /**
     * The number of matching events still in the log.
     *
     * @return the size of {@link #list()}, e.g. how many times SYNCHRONIZE CACHE reached a LUN
     */
    public int count() {
        return list().size();
    }
}
