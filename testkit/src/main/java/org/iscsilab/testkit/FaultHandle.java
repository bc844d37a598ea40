package org.iscsilab.testkit;

import org.iscsilab.core.fault.FaultRule;
import org.iscsilab.core.fault.FaultRules;

/** A fault rule in force on a target: how often it matched and fired, and its removal. */
public final class FaultHandle implements AutoCloseable {
    private final FaultRules rules;
    private final FaultRule rule;

    FaultHandle(FaultRules rules, FaultRule rule) {
        this.rules = rules;
        this.rule = rule;
    }

    /** The rule's id, as the admin API and the event log name it. */
    public int id() {
        return rule.id();
    }

    /** Commands, connections or logins the rule's scope matched. */
    public long matched() {
        return rule.matched();
    }

    /** Times the rule acted. */
    public long fired() {
        return rule.fired();
    }

    /** Takes the rule out of force (a frozen connection resumes); true if it was still in force. */
    public boolean remove() {
        return rules.remove(rule.id());
    }

    /** Removes the rule, for try-with-resources around the part of a test it applies to. */
    @Override
    public void close() {
        remove();
    }
}
