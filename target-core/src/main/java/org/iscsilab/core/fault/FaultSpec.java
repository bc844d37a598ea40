package org.iscsilab.core.fault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseKey;

/**
 * The text form of a fault rule, the same on the command line, in the HTTP API and in Java: an
 * action, then comma-separated {@code key=value} settings for its arguments, its scope and its
 * trigger. Examples:
 *
 * <pre>
 * medium-error,lun=0,lba=1000-1999            CHECK CONDITION MEDIUM ERROR 11/00 for reads touching those blocks
 * check-condition,sense=NOT_READY/04/01,once  the next command gets NOT READY, BECOMING READY
 * busy,every=3,op=write                       every third write gets BUSY
 * task-set-full,probability=0.1,seed=42       one command in ten, the same ones on every run
 * hang,op=0x35                                SYNCHRONIZE CACHE(10) never completes
 * delay=200ms,lun=1                           LUN 1 answers 200 ms late
 * freeze,portal=127.0.0.1:3260                connections on that portal stop being read and answered
 * refuse-login,status=02/01,initiator=iqn.2026-01.org.example:host
 * </pre>
 *
 * Actions: check-condition (sense=KEY/ASC/ASCQ), medium-error, busy, task-set-full,
 * reservation-conflict, hang, short (bytes=N), corrupt, unit-attention (sense=ASC/ASCQ),
 * delay=DURATION, freeze, drop (fin=true|false), ignore-nops, async (event=1|2|3), refuse-login
 * (status=CLASS/DETAIL), delay-login=DURATION. Scope: portal=HOST:PORT, target=IQN, initiator=IQN,
 * tsih=N, cid=N, lun=N, op=NAME|0xNN[|...] (names: read, write, verify, sync, unmap, write-same,
 * tur, inquiry), lba=N or N-M. Trigger: once, every=N, after=N, probability=P (seed=S, default 1),
 * for=DURATION; default always. Durations: 250ms, 2s, 1m.
 */
public final class FaultSpec {
    /** A parsed rule before it gets an id. */
    public record Parsed(FaultScope scope, Trigger trigger, FaultAction action) {}

    private static final Map<String, Set<Integer>> OPCODE_NAMES =
            Map.of(
                    "read",
                            Set.of(
                                    ScsiOpcode.READ_6,
                                    ScsiOpcode.READ_10,
                                    ScsiOpcode.READ_12,
                                    ScsiOpcode.READ_16),
                    "write",
                            Set.of(
                                    ScsiOpcode.WRITE_6,
                                    ScsiOpcode.WRITE_10,
                                    ScsiOpcode.WRITE_12,
                                    ScsiOpcode.WRITE_16),
                    "verify",
                            Set.of(
                                    ScsiOpcode.VERIFY_10,
                                    ScsiOpcode.VERIFY_12,
                                    ScsiOpcode.VERIFY_16),
                    "sync",
                            Set.of(
                                    ScsiOpcode.SYNCHRONIZE_CACHE_10,
                                    ScsiOpcode.SYNCHRONIZE_CACHE_16),
                    "unmap", Set.of(ScsiOpcode.UNMAP),
                    "write-same", Set.of(ScsiOpcode.WRITE_SAME_10, ScsiOpcode.WRITE_SAME_16),
                    "tur", Set.of(ScsiOpcode.TEST_UNIT_READY),
                    "inquiry", Set.of(ScsiOpcode.INQUIRY));

    private FaultSpec() {}

    /**
     * Parses a rule whose action is one of {@code layers}'; a mistake is an
     * IllegalArgumentException saying what to write instead.
     */
    public static Parsed parse(String spec, List<FaultActions> layers) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException(
                    "empty fault rule; start with an action, e.g. medium-error,lun=0");
        }
        Map<String, String> kv = new LinkedHashMap<>();
        String[] parts = spec.strip().split(",");
        for (String part : parts) {
            String p = part.strip();
            if (p.isEmpty()) {
                throw new IllegalArgumentException(
                        "empty setting in '" + spec + "' (two commas in a row?)");
            }
            int eq = p.indexOf('=');
            String key = (eq < 0 ? p : p.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : p.substring(eq + 1).strip();
            if (kv.put(key, value) != null) {
                throw new IllegalArgumentException(
                        "'" + key + "' is given twice in '" + spec + "'");
            }
        }
        String actionName = parts[0].strip();
        int eq = actionName.indexOf('=');
        actionName =
                (eq < 0 ? actionName : actionName.substring(0, eq))
                        .strip()
                        .toLowerCase(Locale.ROOT);
        Settings s = new Settings(kv, spec);
        FaultAction action = action(actionName, s, layers);
        s.take(actionName);
        FaultScope scope = scope(s);
        Trigger trigger = trigger(s);
        if (!s.rest().isEmpty()) {
            throw new IllegalArgumentException(
                    "unknown setting(s) "
                            + s.rest()
                            + " in '"
                            + spec
                            + "'; "
                            + "scope keys are portal, target, initiator, tsih, cid, lun, op, lba; "
                            + "trigger keys are once, every, after, probability, seed, for");
        }
        if (action.layer() != FaultAction.Layer.SCSI && scope.commandsOnly()) {
            throw new IllegalArgumentException(
                    "'"
                            + actionName
                            + "' acts on connections or logins; lun, op and lba "
                            + "only narrow SCSI actions");
        }
        return new Parsed(scope, trigger, action);
    }

    private static FaultAction action(String name, Settings s, List<FaultActions> layers) {
        for (FaultActions layer : layers) {
            if (layer.names().contains(name)) {
                return layer.parse(name, s);
            }
        }
        List<String> known = new ArrayList<>();
        layers.forEach(l -> known.addAll(l.names()));
        throw new IllegalArgumentException(
                "unknown action '" + name + "'; use one of " + String.join(", ", known));
    }

    /** KEY/ASC/ASCQ, split. */
    public static String[] fullSense(String text) {
        String[] f = text.split("/");
        if (f.length != 3) {
            throw new IllegalArgumentException(
                    "sense="
                            + text
                            + ": write KEY/ASC/ASCQ, e.g. MEDIUM_ERROR/11/00 or "
                            + "3/11/00");
        }
        return f;
    }

    private static FaultScope scope(Settings s) {
        String portal = s.optional("portal", null);
        String target = s.optional("target", null);
        String initiator = s.optional("initiator", null);
        int tsih = (int) s.number("tsih", 0, 0xFFFF, false);
        // RFC 7143 §11.12.7: a CID is 16 bits; with tsih, one connection of one session
        int cid = (int) s.number("cid", 0, 0xFFFF, false);
        int lun = (int) s.number("lun", 0, 16383, false);
        Set<Integer> opcodes = new HashSet<>();
        String op = s.optional("op", null);
        if (op != null) {
            for (String o : op.split("\\|")) {
                String name = o.strip().toLowerCase(Locale.ROOT);
                if (OPCODE_NAMES.containsKey(name)) {
                    opcodes.addAll(OPCODE_NAMES.get(name));
                } else {
                    opcodes.add(hexByte("op", name));
                }
            }
        }
        long first = -1;
        long last = -1;
        String lba = s.optional("lba", null);
        if (lba != null) {
            String[] r = lba.split("-", -1); // "10-" is two parts, the second empty
            try {
                first = Long.parseLong(r[0].strip());
                last = r.length > 1 ? Long.parseLong(r[1].strip()) : first;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "lba=" + lba + ": write a block number or a range FIRST-LAST");
            }
            if (r.length > 2 || first < 0 || last < first) {
                throw new IllegalArgumentException(
                        "lba=" + lba + ": write FIRST-LAST with FIRST <= LAST");
            }
        }
        return new FaultScope(portal, target, initiator, tsih, cid, lun, opcodes, first, last);
    }

    private static Trigger trigger(Settings s) {
        int given = 0;
        Trigger t = new Trigger.Always();
        if (s.flag("always")) {
            given++;
        }
        if (s.flag("once")) {
            t = new Trigger.Once();
            given++;
        }
        if (s.has("every")) {
            t = new Trigger.EveryNth(s.number("every", 1, Long.MAX_VALUE, true));
            given++;
        }
        if (s.has("after")) {
            t = new Trigger.AfterN(s.number("after", 0, Long.MAX_VALUE, true));
            given++;
        }
        if (s.has("probability")) {
            String p = s.optional("probability", null);
            double value;
            try {
                value = Double.parseDouble(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "probability=" + p + ": write a number from 0 to 1, e.g. 0.05");
            }
            long seed = s.has("seed") ? s.number("seed", Long.MIN_VALUE, Long.MAX_VALUE, true) : 1;
            t = new Trigger.Probability(value, seed);
            given++;
        } else if (s.has("seed")) {
            throw new IllegalArgumentException("seed only goes with probability=P");
        }
        if (s.has("for")) {
            t = new Trigger.For(duration("for", s.optional("for", null)));
            given++;
        }
        if (given > 1) {
            throw new IllegalArgumentException(
                    "give one trigger: always, once, every, after, probability or for");
        }
        return t;
    }

    /** A sense key by name (MEDIUM_ERROR) or hex code. */
    public static SenseKey senseKey(String text) {
        String t = text.strip().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
        for (SenseKey k : SenseKey.values()) {
            if (k.name().equals(t)) {
                return k;
            }
        }
        try {
            return SenseKey.fromCode(Integer.parseInt(t, 16));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown sense key '"
                            + text
                            + "'; use a name such as MEDIUM_ERROR, "
                            + "NOT_READY, ABORTED_COMMAND, or its hex code");
        }
    }

    /** An additional sense code from its hex ASC and ASCQ. */
    public static AdditionalSense additional(String asc, String ascq) {
        return new AdditionalSense(hexByte("ASC", asc), hexByte("ASCQ", ascq), "injected");
    }

    /** A byte in hex (with or without 0x); the message names {@code what}. */
    public static int hexByte(String what, String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.startsWith("0x")) {
            t = t.substring(2);
        }
        try {
            int v = Integer.parseInt(t, 16);
            if (v < 0 || v > 0xFF) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    what + " '" + text + "' is not a hex byte (00 to FF)");
        }
    }

    /** 250ms, 2s, 1m; the message names {@code key}. */
    public static Duration duration(String key, String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofMillis(
                        Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            }
            if (t.endsWith("m")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException(
                key + "=" + text + ": write a duration such as 250ms, 2s or 1m");
    }

    /** The key=value settings of one spec, taken one by one so leftovers can be reported. */
    public static final class Settings {
        private final Map<String, String> kv;
        private final String spec;

        Settings(Map<String, String> kv, String spec) {
            this.kv = kv;
            this.spec = spec;
        }

        public boolean has(String key) {
            return kv.containsKey(key);
        }

        void take(String key) {
            kv.remove(key);
        }

        public boolean flag(String key) {
            if (!kv.containsKey(key)) {
                return false;
            }
            if (!kv.remove(key).isEmpty()) {
                throw new IllegalArgumentException(
                        "'" + key + "' takes no value in '" + spec + "'");
            }
            return true;
        }

        public String optional(String key, String dflt) {
            String v = kv.remove(key);
            if (v != null && v.isEmpty()) {
                throw new IllegalArgumentException("'" + key + "' needs a value in '" + spec + "'");
            }
            return v == null ? dflt : v;
        }

        public String required(String key, String what) {
            String v = optional(key, null);
            if (v == null) {
                throw new IllegalArgumentException("'" + spec + "' needs " + key + "=" + what);
            }
            return v;
        }

        public long number(String key, long min, long max, boolean required) {
            String v = required ? required(key, "a number") : optional(key, null);
            if (v == null) {
                return -1;
            }
            try {
                long n = Long.decode(v);
                if (n < min || n > max) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        key + "=" + v + ": write a number from " + min + " to " + max);
            }
        }

        Set<String> rest() {
            return kv.keySet();
        }
    }
}
