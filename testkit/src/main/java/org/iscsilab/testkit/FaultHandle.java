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

    /**
     * The rule's id, as the admin API and the event log name it.
     *
     * @return the id the target gave the rule, e.g. for {@code DELETE /api/v1/faults/ID}
     */
    public int id() {
        return id;
    }

    /**
     * Commands, connections or logins the rule's scope matched.
     *
     * @return how many times the rule's scope matched so far, whether or not its trigger let it
     *     act; read from the target on each call
     */
    public long matched() {
        return matched.getAsLong();
    }

    /**
     * Times the rule acted.
     *
     * @return how many times the rule acted so far (each firing is also a FAULT event); read from
     *     the target on each call
     */
    public long fired() {
        return fired.getAsLong();
    }

    /**
     * Takes the rule out of force (a frozen connection resumes); true if it was still in force.
     *
     * @return true if the rule was in force and is now removed, false if it was gone already
     */
    public boolean remove() {
        return remover.getAsBoolean();
    }

    /** Removes the rule, for try-with-resources around the part of a test it applies to. */
    @Override
    public void close() {
        remove();
    }
}
