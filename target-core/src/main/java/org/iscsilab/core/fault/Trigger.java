package org.iscsilab.core.fault;

import java.time.Duration;

/**
 * When a rule fires among the events its scope matches: always, only the first, every Nth, after
 * the first N, with a probability drawn from a seeded generator (so a run can be repeated exactly),
 * or for a duration from when the rule was added.
 */
public sealed interface Trigger {
    record Always() implements Trigger {}

    record Once() implements Trigger {}

    /** Fires on the Nth, 2Nth, 3Nth... matching event. */
    record EveryNth(long n) implements Trigger {
        public EveryNth {
            if (n < 1) {
                throw new IllegalArgumentException("every=N needs N of at least 1");
            }
        }
    }

    /** Lets the first N matching events through, then fires on every one after. */
    record AfterN(long n) implements Trigger {
        public AfterN {
            if (n < 0) {
                throw new IllegalArgumentException("after=N needs N of at least 0");
            }
        }
    }

    record Probability(double p, long seed) implements Trigger {
        public Probability {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("probability must be between 0 and 1, got " + p);
            }
        }
    }

    /** Fires on every matching event until the duration has passed since the rule was added. */
    record For(Duration duration) implements Trigger {}
}
