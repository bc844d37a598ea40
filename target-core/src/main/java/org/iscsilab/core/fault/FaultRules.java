package org.iscsilab.core.fault;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The fault rules of one target, changeable while initiators are attached. Rules are tried in the
 * order they were added; the first that fires for an event decides what happens to it.
 */
public final class FaultRules {
    private final CopyOnWriteArrayList<FaultRule> rules = new CopyOnWriteArrayList<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final LongSupplier clock;
    private final EventLog events;
    private final List<FaultActions> layers;
    private final List<Consumer<FaultRule>> listeners = new CopyOnWriteArrayList<>();

    /** Rules whose actions are those of {@code layers}: the layers that carry them out. */
    public FaultRules(EventLog events, List<FaultActions> layers) {
        this(events, layers, System::nanoTime);
    }

    FaultRules(EventLog events, List<FaultActions> layers, LongSupplier nanoClock) {
        this.events = events;
        this.layers = List.copyOf(layers);
        this.clock = nanoClock;
    }

    /** The layers whose actions these rules accept. */
    public List<FaultActions> layers() {
        return layers;
    }

    /**
     * Parses and adds a rule (see {@link FaultSpec} for the syntax); a bad spec changes nothing.
     */
    public FaultRule add(String spec) {
        FaultSpec.Parsed p = FaultSpec.parse(spec, layers);
        FaultRule rule =
                new FaultRule(
                        nextId.getAndIncrement(),
                        spec.strip(),
                        p.scope(),
                        p.trigger(),
                        p.action(),
                        clock.getAsLong());
        rules.add(rule);
        changed(rule);
        return rule;
    }

    /** Removes a rule; false when there is none with this id. */
    public boolean remove(int id) {
        boolean removed = rules.removeIf(r -> r.id() == id);
        if (removed) {
            changed(null);
        }
        return removed;
    }

    public void clear() {
        rules.clear();
        changed(null);
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
        return firing(a -> a.layer() == layer, context);
    }

    /** The first rule with this kind of action that fires for the event, or null. */
    public FaultRule firing(Class<? extends FaultAction> kind, FaultContext context) {
        return firing(kind::isInstance, context);
    }

    /** The first rule whose action {@code which} accepts that fires for the event, or null. */
    public FaultRule firing(Predicate<FaultAction> which, FaultContext context) {
        if (rules.isEmpty()) {
            return null;
        }
        long now = clock.getAsLong();
        for (FaultRule r : rules) {
            if (which.test(r.action()) && fires(r, context, now)) {
                return r;
            }
        }
        return null;
    }

    /** Whether one rule fires for the event (counted, and logged when it fires). */
    public boolean fires(FaultRule rule, FaultContext context) {
        return fires(rule, context, clock.getAsLong());
    }

    private boolean fires(FaultRule rule, FaultContext context, long now) {
        if (rule.fire(context, now)) {
            events.faultFired(context, rule);
            return true;
        }
        return false;
    }

    /**
     * Called after every change of the rules, with the rule added (null after a removal or clear).
     */
    public void onChange(Consumer<FaultRule> listener) {
        listeners.add(listener);
    }

    private void changed(FaultRule added) {
        for (Consumer<FaultRule> l : listeners) {
            l.accept(added);
        }
    }

    /**
     * True when a rule of this layer would match the event now, without counting it (for standing
     * conditions like a freeze).
     */
    public boolean active(
            FaultAction.Layer layer, Class<? extends FaultAction> action, FaultContext context) {
        if (rules.isEmpty()) {
            return false;
        }
        long now = clock.getAsLong();
        for (FaultRule r : rules) {
            if (r.action().layer() == layer
                    && action.isInstance(r.action())
                    && !r.spent(now)
                    && r.scope().matches(context)) {
                return true;
            }
        }
        return false;
    }
}
