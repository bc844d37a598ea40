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

    /** Only commands to this LUN. */
    public Fault lun(int lun) {
        return with("lun", Integer.toString(lun));
    }

    /** Only commands touching blocks {@code first} to {@code last}. */
    public Fault lbas(long first, long last) {
        return with("lba", first + "-" + last);
    }

    /** Only reads. */
    public Fault reads() {
        return with("op", "read");
    }

    /** Only writes. */
    public Fault writes() {
        return with("op", "write");
    }

    /** Only SYNCHRONIZE CACHE. */
    public Fault syncs() {
        return with("op", "sync");
    }

    /** Only commands with this operation code. */
    public Fault opcode(int opcode) {
        return with("op", String.format("0x%02x", opcode));
    }

    /** Only this initiator's sessions and logins. */
    public Fault initiator(String iqn) {
        return with("initiator", iqn);
    }

    /** Only connections to this target. */
    public Fault target(String iqn) {
        return with("target", iqn);
    }

    // ---- trigger: one of them (default: always) ----

    /** Fires on the first match only. */
    public Fault once() {
        return with("once", null);
    }

    /** Fires on every {@code n}th match. */
    public Fault every(long n) {
        return with("every", Long.toString(n));
    }

    /** Fires on every match after the first {@code n}. */
    public Fault after(long n) {
        return with("after", Long.toString(n));
    }

    /** Fires on every match for this long after it is added, then no more. */
    public Fault forDuration(Duration d) {
        return with("for", d.toMillis() + "ms");
    }

    /**
     * The rule as text, e.g. "medium-error,lun=0,lba=100-199,op=read"; checked by the rule parser.
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
