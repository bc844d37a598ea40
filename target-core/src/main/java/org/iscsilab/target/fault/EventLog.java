package org.iscsilab.target.fault;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The target's recent history, for tests to assert on ("SYNCHRONIZE CACHE reached LUN 0 twice",
 * "nothing reached LUN 3 after it was removed"): logins, logouts, SCSI commands with their
 * status, task management and faults fired. A ring of fixed capacity: the oldest events make way,
 * so memory stays flat however long the target runs.
 */
public final class EventLog {
    public enum Type { LOGIN, LOGOUT, COMMAND, TASK_MANAGEMENT, FAULT }

    /**
     * One event. Parts that do not apply are -1 or null.
     *
     * @param sequence counts every event ever recorded, from 1, so gaps show what the ring dropped
     * @param status   for COMMAND the SCSI status name, for TASK_MANAGEMENT the response, for LOGIN the outcome
     * @param detail   free text: the TMF function, the fault rule, the login failure reason
     */
    public record Event(long sequence, long timeMillis, Type type, String initiator, int tsih, int lun, int opcode,
                        long lba, long blocks, String status, String detail) {
    }

    public static final int DEFAULT_CAPACITY = 10_000;

    private final Event[] ring;
    private final java.util.List<java.util.function.Consumer<Event>> listeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private long recorded;
    /** Sequence numbers up to this one were cleared. */
    private long clearedThrough;

    public EventLog() {
        this(DEFAULT_CAPACITY);
    }

    public EventLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("an event log holds at least one event");
        }
        this.ring = new Event[capacity];
    }

    private synchronized void add(Type type, String initiator, int tsih, int lun, int opcode, long lba, long blocks,
                                  String status, String detail) {
        recorded++;
        Event e = new Event(recorded, System.currentTimeMillis(), type, initiator, tsih, lun, opcode, lba, blocks,
                status, detail);
        ring[(int) ((recorded - 1) % ring.length)] = e;
        for (java.util.function.Consumer<Event> l : listeners) {
            l.accept(e);
        }
    }

    /** Sees every event as it is recorded (under the log's lock: keep it short). */
    public void addListener(java.util.function.Consumer<Event> listener) {
        listeners.add(listener);
    }

    public void login(String initiator, int tsih, String outcome, String detail) {
        add(Type.LOGIN, initiator, tsih, -1, -1, -1, 0, outcome, detail);
    }

    public void logout(String initiator, int tsih, String reason) {
        add(Type.LOGOUT, initiator, tsih, -1, -1, -1, 0, null, reason);
    }

    public void command(String initiator, int tsih, int lun, int opcode, long lba, long blocks, String status) {
        add(Type.COMMAND, initiator, tsih, lun, opcode, lba, blocks, status, null);
    }

    public void taskManagement(String initiator, int tsih, int lun, String function, String response) {
        add(Type.TASK_MANAGEMENT, initiator, tsih, lun, -1, -1, 0, response, function);
    }

    void faultFired(FaultContext c, FaultRule rule) {
        add(Type.FAULT, c.initiator(), c.tsih(), c.lun(), c.opcode(), c.lba(), c.blocks(), null, rule.toString());
    }

    /** The events still held, oldest first, that satisfy the filter. */
    public synchronized List<Event> events(Predicate<Event> filter) {
        List<Event> out = new ArrayList<>();
        long first = Math.max(clearedThrough + 1, recorded - ring.length + 1);
        for (long seq = first; seq <= recorded; seq++) {
            Event e = ring[(int) ((seq - 1) % ring.length)];
            if (filter.test(e)) {
                out.add(e);
            }
        }
        return out;
    }

    public List<Event> events() {
        return events(e -> true);
    }

    public long count(Predicate<Event> filter) {
        return events(filter).size();
    }

    /** Events recorded since the target started, including those the ring no longer holds. */
    public synchronized long recorded() {
        return recorded;
    }

    public int capacity() {
        return ring.length;
    }

    /** Forgets every event (the sequence keeps counting). */
    public synchronized void clear() {
        clearedThrough = recorded;
    }
}
