package org.iscsilab.target.fault;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The target's recent history, for tests to assert on ("SYNCHRONIZE CACHE reached LUN 0 twice",
 * "nothing reached LUN 3 after it was removed"): logins, logouts, SCSI commands with their
 * status, task management and faults fired. A ring of fixed capacity: the oldest events make way,
 * so memory stays flat however long the target runs. Each ring slot is a mutable holder written in
 * place, so recording a command allocates nothing; {@link Event} records are made when read.
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

    /** One ring position, overwritten in place. */
    private static final class Slot {
        long sequence;
        long timeMillis;
        Type type;
        String initiator;
        int tsih;
        int lun;
        int opcode;
        long lba;
        long blocks;
        String status;
        String detail;

        Event event() {
            return new Event(sequence, timeMillis, type, initiator, tsih, lun, opcode, lba, blocks, status, detail);
        }
    }

    private final Slot[] ring;
    private record Listener(java.util.Set<Type> types, java.util.function.Consumer<Event> consumer) {
    }

    private final List<Listener> listeners = new ArrayList<>();
    /** Types some listener wants, by ordinal: the others are recorded without making an Event. */
    private final boolean[] listened = new boolean[Type.values().length];
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
        this.ring = new Slot[capacity];
    }

    private synchronized void add(Type type, String initiator, int tsih, int lun, int opcode, long lba, long blocks,
                                  String status, String detail) {
        recorded++;
        int i = (int) ((recorded - 1) % ring.length);
        Slot slot = ring[i];
        if (slot == null) { // the ring fills lazily, then its slots are reused
            slot = ring[i] = new Slot();
        }
        slot.sequence = recorded;
        slot.timeMillis = System.currentTimeMillis();
        slot.type = type;
        slot.initiator = initiator;
        slot.tsih = tsih;
        slot.lun = lun;
        slot.opcode = opcode;
        slot.lba = lba;
        slot.blocks = blocks;
        slot.status = status;
        slot.detail = detail;
        if (listened[type.ordinal()]) {
            Event e = slot.event();
            for (Listener l : listeners) {
                if (l.types().contains(type)) {
                    l.consumer().accept(e);
                }
            }
        }
    }

    /** Sees every event of the given types as it is recorded (under the log's lock: keep it short). */
    public synchronized void addListener(java.util.function.Consumer<Event> listener, Type first, Type... more) {
        java.util.Set<Type> types = java.util.EnumSet.of(first, more);
        listeners.add(new Listener(types, listener));
        types.forEach(t -> listened[t.ordinal()] = true);
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
            Event e = ring[(int) ((seq - 1) % ring.length)].event();
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
