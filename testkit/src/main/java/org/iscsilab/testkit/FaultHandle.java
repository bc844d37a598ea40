package org.iscsilab.testkit;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/** A fault rule in force on a target: how often it matched and fired, and its removal. */
public final class FaultHandle implements AutoCloseable {
    private final int id;
    private final LongSupplier matched;
    private final LongSupplier fired;
    private final BooleanSupplier remover;

    FaultHandle(int id, LongSupplier matched, LongSupplier fired, BooleanSupplier remover) {
        this.id = id;
        this.matched = matched;
        this.fired = fired;
        this.remover = remover;
    }

    /** The rule's id, as the admin API and the event log name it. */
    public int id() {
        return id;
    }

    /** Commands, connections or logins the rule's scope matched. */
    public long matched() {
        return matched.getAsLong();
    }

    /** Times the rule acted. */
    public long fired() {
        return fired.getAsLong();
    }

    /** Takes the rule out of force (a frozen connection resumes); true if it was still in force. */
    public boolean remove() {
        return remover.getAsBoolean();
    }

    /** Removes the rule, for try-with-resources around the part of a test it applies to. */
    @Override
    public void close() {
        remove();
    }
}
