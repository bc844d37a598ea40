package org.iscsilab.target.fault;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The fault rules of one target, changeable while initiators are attached. Rules are tried in
 * the order they were added; the first that fires for an event decides what happens to it.
 */
public final class FaultRules {
    private final CopyOnWriteArrayList<FaultRule> rules = new CopyOnWriteArrayList<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final LongSupplier clock;
    private final EventLog events;
    private final Set<FaultAction.Layer> enacted;

    /** Rules for every layer. */
    public FaultRules(EventLog events) {
        this(events, EnumSet.allOf(FaultAction.Layer.class), System::nanoTime);
    }

    /** Rules only for the layers the caller carries out; others are refused when added. */
    public FaultRules(EventLog events, Set<FaultAction.Layer> enacted) {
        this(events, enacted, System::nanoTime);
    }

    FaultRules(EventLog events, LongSupplier nanoClock) {
        this(events, EnumSet.allOf(FaultAction.Layer.class), nanoClock);
    }

    private FaultRules(EventLog events, Set<FaultAction.Layer> enacted, LongSupplier nanoClock) {
        this.events = events;
        this.enacted = Set.copyOf(enacted);
        this.clock = nanoClock;
    }

    /** Parses and adds a rule (see {@link FaultSpec} for the syntax); a bad spec changes nothing. */
    public FaultRule add(String spec) {
        FaultSpec.Parsed p = FaultSpec.parse(spec);
        if (!enacted.contains(p.action().layer())) {
            throw new IllegalArgumentException("'" + spec.strip() + "': " + p.action().layer().name().toLowerCase()
                    + " faults are not carried out by this target yet; SCSI actions are (check-condition, "
                    + "medium-error, busy, task-set-full, reservation-conflict, hang, short, corrupt, unit-attention, delay)");
        }
        FaultRule rule = new FaultRule(nextId.getAndIncrement(), spec.strip(), p.scope(), p.trigger(), p.action(),
                clock.getAsLong());
        rules.add(rule);
        return rule;
    }

    /** Removes a rule; false when there is none with this id. */
    public boolean remove(int id) {
        return rules.removeIf(r -> r.id() == id);
    }

    public void clear() {
        rules.clear();
    }

    public List<FaultRule> list() {
        return List.copyOf(rules);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /**
     * The first rule of this layer that fires for the event, or null. A fired rule is written to
     * the event log.
     */
    public FaultRule firing(FaultAction.Layer layer, FaultContext context) {
        if (rules.isEmpty()) {
            return null;
        }
        long now = clock.getAsLong();
        for (FaultRule r : rules) {
            if (r.action().layer() == layer && r.fire(context, now)) {
                events.faultFired(context, r);
                return r;
            }
        }
        return null;
    }

    /** True when a rule of this layer would match the event now, without counting it (for standing conditions like a freeze). */
    public boolean active(FaultAction.Layer layer, Class<? extends FaultAction> action, FaultContext context) {
        long now = clock.getAsLong();
        for (FaultRule r : rules) {
            if (r.action().layer() == layer && action.isInstance(r.action()) && !r.spent(now)
                    && r.scope().matches(context)) {
                return true;
            }
        }
        return false;
    }
}
