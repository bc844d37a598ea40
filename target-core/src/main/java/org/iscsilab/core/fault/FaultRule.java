package org.iscsilab.core.fault;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One active fault rule: its scope, trigger and action, with the counters its trigger needs. {@link
 * #fire} decides for one matching event; it is thread-safe and, for a seeded probability, gives the
 * same sequence of decisions for the same sequence of matching events.
 */
public final class FaultRule {
    private final int id;
    private final String spec;
    private final FaultScope scope;
    private final Trigger trigger;
    private final FaultAction action;
    private final long addedNanos;
    private final AtomicLong matched = new AtomicLong();
    private final AtomicLong fired = new AtomicLong();
    private final Random random;

    FaultRule(
            int id,
            String spec,
            FaultScope scope,
            Trigger trigger,
            FaultAction action,
            long addedNanos) {
        this.id = id;
        this.spec = spec;
        this.scope = scope;
        this.trigger = trigger;
        this.action = action;
        this.addedNanos = addedNanos;
        this.random = trigger instanceof Trigger.Probability p ? new Random(p.seed()) : null;
    }

    public int id() {
        return id;
    }

    /** The rule as it was written. */
    public String spec() {
        return spec;
    }

    public FaultScope scope() {
        return scope;
    }

    public Trigger trigger() {
        return trigger;
    }

    public FaultAction action() {
        return action;
    }

    /** Events the scope matched so far. */
    public long matched() {
        return matched.get();
    }

    /** Times the rule fired so far. */
    public long fired() {
        return fired.get();
    }

    /** True when the event is in scope and the trigger fires for it; counts both. */
    boolean fire(FaultContext context, long nowNanos) {
        if (!scope.matches(context)) {
            return false;
        }
        boolean fires;
        if (trigger instanceof Trigger.Probability p) {
            synchronized (random) { // the n-th matching event always gets the n-th draw
                matched.incrementAndGet();
                fires = random.nextDouble() < p.p();
            }
        } else {
            long n = matched.incrementAndGet();
            if (trigger instanceof Trigger.Once) {
                fires = n == 1;
            } else if (trigger instanceof Trigger.EveryNth e) {
                fires = n % e.n() == 0;
            } else if (trigger instanceof Trigger.AfterN a) {
                fires = n > a.n();
            } else if (trigger instanceof Trigger.For f) {
                fires = nowNanos - addedNanos < f.duration().toNanos();
            } else {
                fires = true; // Always
            }
        }
        if (fires) {
            fired.incrementAndGet();
        }
        return fires;
    }

    /** A rule that can never fire again (a spent once, an expired duration) may be removed. */
    boolean spent(long nowNanos) {
        return (trigger instanceof Trigger.Once && fired.get() > 0)
                || (trigger instanceof Trigger.For f
                        && nowNanos - addedNanos >= f.duration().toNanos());
    }

    @Override
    public String toString() {
        return "#" + id + " " + spec;
    }
}
