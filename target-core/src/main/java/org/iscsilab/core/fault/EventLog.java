package org.iscsilab.core.fault;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The target's recent history, for tests to assert on ("SYNCHRONIZE CACHE reached LUN 0 twice",
 * "nothing reached LUN 3 after it was removed"): logins, logouts, SCSI commands with their status,
 * task management and faults fired. A ring of fixed capacity: the oldest events make way, so memory
 * stays flat however long the target runs. Each ring slot is a mutable holder written in place, so
 * recording a command allocates nothing; {@link Event} records are made when read.
 */
public final class EventLog {
    public enum Type {
        LOGIN,
        LOGOUT,
        COMMAND,
        TASK_MANAGEMENT,
        FAULT,
        /** A target port group's asymmetric access state changed (SPC-5 §5.16). */
        ALUA
    }

    /**
     * One event. Parts that do not apply are -1 or null.
     *
     * @param sequence counts every event ever recorded, from 1, so gaps show what the ring dropped
     * @param status for COMMAND the SCSI status name, for TASK_MANAGEMENT the response, for LOGIN
     *     the outcome
     * @param detail free text: the TMF function, the fault rule, the login failure reason
     * @param taskTag the initiator's tag of the command, of the command a fault fired on, or of the
     *     task management request (iSCSI: the Initiator Task Tag, RFC 7143 §11.3.4); -1 for none
     */
    public record Event(
            long sequence,
            long timeMillis,
            Type type,
            String initiator,
            int tsih,
            int lun,
            int opcode,
            long lba,
            long blocks,
            String status,
            String detail,
            long taskTag) {}

    public static final int DEFAULT_CAPACITY = 10_000;

    /**
     * One ring position, overwritten in place. {@code state} is the sequence number of the event it
     * holds, negated while a writer fills it in; readers take the fields only between two equal
     * positive reads of it (a sequence lock, so recording takes no lock).
     */
    private static final class Slot {
        volatile long state;
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
        long taskTag;

        Event event(long sequence) {
            return new Event(
                    sequence,
                    timeMillis,
                    type,
                    initiator,
                    tsih,
                    lun,
                    opcode,
                    lba,
                    blocks,
                    status,
                    detail,
                    taskTag);
        }
    }

    private final Slot[] ring;

    private record Listener(Set<Type> types, Consumer<Event> consumer) {}

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /** Types some listener wants, by ordinal: the others are recorded without making an Event. */
    private final boolean[] listened = new boolean[Type.values().length];

    private final AtomicLong recorded = new AtomicLong();

    /**
     * Commands recorded per opcode since the target started: running totals the ring cannot lose.
     */
    private final LongAdder[] commandsByOpcode = new LongAdder[256];

    /** Sequence numbers up to this one were cleared. */
    private volatile long clearedThrough;

    public EventLog() {
        this(DEFAULT_CAPACITY);
    }

    public EventLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("an event log holds at least one event");
        }
        this.ring = new Slot[capacity];
        for (int i = 0; i < commandsByOpcode.length; i++) {
            commandsByOpcode[i] = new LongAdder();
        }
        for (int i = 0; i < capacity; i++) {
            ring[i] = new Slot();
        }
    }

    private Slot slotOf(long sequence) {
        return ring[(int) ((sequence - 1) % ring.length)];
    }

    private void add(
            Type type,
            String initiator,
            int tsih,
            int lun,
            int opcode,
            long lba,
            long blocks,
            String status,
            String detail,
            long taskTag) {
        long seq = recorded.incrementAndGet();
        Slot slot = slotOf(seq);
        // the slot's previous event (one lap earlier) must be complete before it is overwritten
        long previous = seq - ring.length;
        while (slot.state != Math.max(previous, 0)) {
            Thread.onSpinWait();
        }
        slot.state = -seq;
        VarHandle.releaseFence(); // the mark is visible before any field changes
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
        slot.taskTag = taskTag;
        slot.state = seq;
        if (listened[type.ordinal()]) {
            Event e =
                    new Event(
                            seq,
                            slot.timeMillis,
                            type,
                            initiator,
                            tsih,
                            lun,
                            opcode,
                            lba,
                            blocks,
                            status,
                            detail,
                            taskTag);
            for (Listener l : listeners) {
                if (l.types().contains(type)) {
                    l.consumer().accept(e);
                }
            }
        }
    }

    /**
     * The event with this sequence number, waiting for a writer still filling it in; null once
     * overwritten.
     */
    private Event read(long seq) {
        Slot slot = slotOf(seq);
        while (true) {
            long before = slot.state;
            if (before == seq) {
                Event e = slot.event(seq);
                VarHandle.acquireFence(); // the fields were read before the check
                if (slot.state == seq) {
                    return e;
                }
            } else if (before > seq || -before > seq) {
                return null; // a later lap overwrote it
            } else {
                Thread.onSpinWait(); // its writer has the number but has not finished
            }
        }
    }

    /**
     * Sees every event of the given types as it is recorded, on the recording thread: keep it
     * short.
     */
    public synchronized void addListener(Consumer<Event> listener, Type first, Type... more) {
        Set<Type> types = EnumSet.of(first, more);
        listeners.add(new Listener(types, listener));
        types.forEach(t -> listened[t.ordinal()] = true);
    }

    public void login(String initiator, int tsih, String outcome, String detail) {
        add(Type.LOGIN, initiator, tsih, -1, -1, -1, 0, outcome, detail, -1);
    }

    public void logout(String initiator, int tsih, String reason) {
        add(Type.LOGOUT, initiator, tsih, -1, -1, -1, 0, null, reason, -1);
    }

    public void command(
            String initiator,
            int tsih,
            int lun,
            int opcode,
            long lba,
            long blocks,
            String status,
            long taskTag) {
        add(Type.COMMAND, initiator, tsih, lun, opcode, lba, blocks, status, null, taskTag);
        commandsByOpcode[opcode & 0xFF].increment();
    }

    public void taskManagement(
            String initiator, int tsih, int lun, String function, String response, long taskTag) {
        add(Type.TASK_MANAGEMENT, initiator, tsih, lun, -1, -1, 0, response, function, taskTag);
    }

    /**
     * A target port group of {@code target} went from one access state to another: the status is
     * the new state, the detail says which group, from what, and why.
     */
    public void accessStateChanged(String target, int group, String from, String to, String cause) {
        add(
                Type.ALUA,
                null,
                -1,
                -1,
                -1,
                -1,
                0,
                to,
                "target port group "
                        + group
                        + " of "
                        + target
                        + ": "
                        + from
                        + " -> "
                        + to
                        + " ("
                        + cause
                        + ")",
                -1);
    }

    void faultFired(FaultContext c, FaultRule rule) {
        add(
                Type.FAULT,
                c.initiator(),
                c.tsih(),
                c.lun(),
                c.opcode(),
                c.lba(),
                c.blocks(),
                null,
                rule.toString(),
                c.taskTag());
    }

    /** The events still held, oldest first, that satisfy the filter. */
    public List<Event> events(Predicate<Event> filter) {
        List<Event> out = new ArrayList<>();
        long last = recorded.get();
        long first = Math.max(clearedThrough + 1, last - ring.length + 1);
        for (long seq = first; seq <= last; seq++) {
            Event e = read(seq);
            if (e != null && filter.test(e)) {
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
    public long recorded() {
        return recorded.get();
    }

    /**
     * Commands with this operation code recorded since the target started, including those the ring
     * no longer holds; {@link #clear} does not reset it.
     */
    public long commandsRecorded(int opcode) {
        return commandsByOpcode[opcode & 0xFF].sum();
    }

    public int capacity() {
        return ring.length;
    }

    /** Forgets every event (the sequence keeps counting). */
    public void clear() {
        clearedThrough = recorded.get();
    }
}
