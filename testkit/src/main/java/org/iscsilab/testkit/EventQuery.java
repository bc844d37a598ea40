package org.iscsilab.testkit;

import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.core.fault.EventLog.Event;

/**
 * A question to a target's event log, narrowed step by step and asked with {@link #list} or {@link
 * #count}, so an assertion reads as the sentence it checks:
 *
 * <pre>{@code
 * assertEquals(2, target.events().commands().opcode(ScsiOpcode.SYNCHRONIZE_CACHE_10).lun(0).count());
 * }</pre>
 *
 * Immutable: each step returns a new query; the log is read when the query is asked.
 */
public final class EventQuery {
    private final Supplier<List<Event>> log;
    private final Predicate<Event> filter;

    /** A query over {@code log}, read each time the query is asked. */
    EventQuery(Supplier<List<Event>> log) {
        this(log, e -> true);
    }

    private EventQuery(Supplier<List<Event>> log, Predicate<Event> filter) {
        this.log = log;
        this.filter = filter;
    }

    private EventQuery and(Predicate<Event> p) {
        return new EventQuery(log, filter.and(p));
    }

    /** SCSI commands, with their status. */
    public EventQuery commands() {
        return type(EventLog.Type.COMMAND);
    }

    /** Fault rules that fired. */
    public EventQuery faults() {
        return type(EventLog.Type.FAULT);
    }

    public EventQuery logins() {
        return type(EventLog.Type.LOGIN);
    }

    public EventQuery logouts() {
        return type(EventLog.Type.LOGOUT);
    }

    public EventQuery taskManagement() {
        return type(EventLog.Type.TASK_MANAGEMENT);
    }

    public EventQuery type(EventLog.Type type) {
        return and(e -> e.type() == type);
    }

    public EventQuery lun(int lun) {
        return and(e -> e.lun() == lun);
    }

    /**
     * Commands with this operation code (the constants of {@code org.iscsilab.scsi.ScsiOpcode}).
     */
    public EventQuery opcode(int opcode) {
        return and(e -> e.opcode() == opcode);
    }

    public EventQuery initiator(String iqn) {
        return and(e -> iqn.equals(e.initiator()));
    }

    /** Commands that touch any block from {@code first} to {@code last}. */
    public EventQuery touching(long first, long last) {
        return and(
                e ->
                        e.lba() >= 0
                                && e.lba() <= last
                                && e.lba() + Math.max(1, e.blocks()) - 1 >= first);
    }

    /** Commands that ended with this status, e.g. "GOOD", "CHECK_CONDITION". */
    public EventQuery status(String status) {
        return and(e -> status.equals(e.status()));
    }

    /** Events recorded after this sequence number (see {@link Event#sequence()}). */
    public EventQuery after(long sequence) {
        return and(e -> e.sequence() > sequence);
    }

    /** The matching events still in the log, oldest first. */
    public List<Event> list() {
        return log.get().stream().filter(filter).toList();
    }

    public int count() {
        return list().size();
    }
}
