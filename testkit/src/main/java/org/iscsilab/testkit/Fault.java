package org.iscsilab.testkit;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import org.iscsilab.core.fault.FaultSpec;
import org.iscsilab.iscsi.fault.IscsiFaultActions;

/**
 * A fault rule, built in Java instead of written as text: an action ({@link Faults}) narrowed by
 * scope (which portal, initiator, LUN, operation, blocks) and a trigger (once, every Nth, after N,
 * for a while). Immutable: each call returns a new rule. {@link #spec()} is the rule in the
 * language of {@code --fault} and the admin API (docs/faults-and-admin.md), checked when built.
 */
public final class Fault {
    private final String action;
    private final Map<String, String> settings;

    Fault(String action, Map<String, String> settings) {
        this.action = action;
        this.settings =
                Collections.unmodifiableMap(new LinkedHashMap<>(settings)); // flags map to null
    }

    private Fault with(String key, String value) {
        Map<String, String> s = new LinkedHashMap<>(settings);
        s.put(key, value);
        return new Fault(action, s);
    }

    // ---- scope: all given must match ----

    /**
     * Only commands to this LUN.
     *
     * @param lun the LUN whose commands the rule applies to
     * @return a copy of this rule narrowed to that LUN
     */
    public Fault lun(int lun) {
        return with("lun", Integer.toString(lun));
    }

    /**
     * Only commands touching blocks {@code first} to {@code last}.
     *
     * @param first the first logical block address of the range
     * @param last the last logical block address of the range, inclusive
     * @return a copy of this rule narrowed to commands whose blocks overlap that range
     */
    public Fault lbas(long first, long last) {
        return with("lba", first + "-" + last);
    }

    /**
     * Only reads.
     *
     * @return a copy of this rule narrowed to READ(6), READ(10), READ(12) and READ(16), replacing
     *     any operation chosen before
     */
    public Fault reads() {
        return with("op", "read");
    }

    /**
     * Only writes.
     *
     * @return a copy of this rule narrowed to WRITE(6), WRITE(10), WRITE(12) and WRITE(16),
     *     replacing any operation chosen before
     */
    public Fault writes() {
        return with("op", "write");
    }

    /**
     * Only SYNCHRONIZE CACHE.
     *
     * @return a copy of this rule narrowed to SYNCHRONIZE CACHE(10) and SYNCHRONIZE CACHE(16),
     *     replacing any operation chosen before
     */
    public Fault syncs() {
        return with("op", "sync");
    }

    /**
     * Only commands with this operation code.
     *
     * @param opcode the CDB's first byte, e.g. {@code ScsiOpcode.UNMAP} (0x42)
     * @return a copy of this rule narrowed to commands with that operation code, replacing any
     *     operation chosen before
     */
    public Fault opcode(int opcode) {
        return with("op", String.format("0x%02x", opcode));
    }

    /**
     * Only this initiator's sessions and logins.
     *
     * @param iqn the initiator's iSCSI name, as its Login Request gives InitiatorName
     * @return a copy of this rule narrowed to that initiator's commands, connections and logins
     */
    public Fault initiator(String iqn) {
        return with("initiator", iqn);
    }

    /**
     * Only connections to this target.
     *
     * @param iqn the target's iSCSI name, as the Login Request gives TargetName
     * @return a copy of this rule narrowed to that target's logins, connections and commands
     */
    public Fault target(String iqn) {
        return with("target", iqn);
    }

    // ---- trigger: one of them (default: always) ----

    /**
     * Fires on the first match only.
     *
     * @return a copy of this rule with that trigger; a rule takes one trigger, so this does not
     *     combine with {@link #every}, {@link #after} or {@link #forDuration}
     */
    public Fault once() {
        return with("once", null);
    }

    /**
     * Fires on every {@code n}th match.
     *
     * @param n the period, 1 or more: the rule acts on matches n, 2n, 3n and so on
     * @return a copy of this rule with that trigger, in place of the default (every match)
     */
    public Fault every(long n) {
        return with("every", Long.toString(n));
    }

    /**
     * Fires on every match after the first {@code n}.
     *
     * @param n the number of matches that pass untouched before the rule starts to act
     * @return a copy of this rule with that trigger, in place of the default (every match)
     */
    public Fault after(long n) {
        return with("after", Long.toString(n));
    }

    /**
     * Fires on every match for this long after it is added, then no more.
     *
     * @param d how long the rule acts from the moment it is put in force (in whole milliseconds)
     * @return a copy of this rule with that trigger, in place of the default (every match)
     */
    public Fault forDuration(Duration d) {
        return with("for", d.toMillis() + "ms");
    }

    /**
     * The rule as text, e.g. "medium-error,lun=0,lba=100-199,op=read"; checked by the rule parser.
     *
     * @return the rule in the language of {@code --fault} and the admin API: the action, then each
     *     scope and trigger setting in the order given
     * @throws IllegalArgumentException if the target would refuse the rule, e.g. two triggers; the
     *     message names the part at fault
     */
    public String spec() {
        StringJoiner j = new StringJoiner(",");
        j.add(action);
        settings.forEach((k, v) -> j.add(v == null ? k : k + "=" + v));
        String spec = j.toString();
        FaultSpec.parse(spec, IscsiFaultActions.ALL_LAYERS); // throws, naming the part at fault
        return spec;
    }

    @Override
    public String toString() {
        return spec();
    }
}
