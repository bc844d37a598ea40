package org.iscsilab.guest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.iscsilab.host.trace.TraceEvent;

/**
 * The kprobe events a guest recorded ({@code trace_kernel} and {@code dump_trace} of guest-lib.sh),
 * read back from its "@@ KTRACE" lines: the device state machine as the kernel ran it, the unblocks
 * that skipped a device and why, and sd's SYNCHRONIZE CACHE calls.
 */
public final class KernelTrace {
    /**
     * enum scsi_device_state values (include/scsi/scsi_device.h, the same from 4.9 to 6.12) with
     * the strings sysfs shows for them (scsi_sysfs.c sdev_states).
     */
    private static final String[] STATES = {
        null,
        "created",
        "running",
        "cancel",
        "deleted",
        "quiesce",
        "offline",
        "transport-offline",
        "blocked",
        "created-blocked"
    };

    /** "sh-180 [000] d..1 16.339127: set_state: (scsi_device_set_state+0x0/0x110) old=8 new=3" */
    private static final Pattern LINE =
            Pattern.compile(
                    "^\\s*(\\S+)-(\\d+)\\s+.*?(\\d+\\.\\d+):\\s+(\\w+):\\s+\\(([^)]*)\\)(.*)$");

    /**
     * One probe firing: the task that hit it, when (seconds since boot), which probe, its values.
     */
    public record Event(
            String task,
            int pid,
            double seconds,
            String probe,
            String at,
            Map<String, String> args) {
        /** A fetched value as a number, or {@code missing} when the probe did not record it. */
        public long number(String name, long missing) {
            String v = args.get(name);
            return v == null ? missing : Long.decode(v);
        }
    }

    private final List<Event> events;

    private KernelTrace(List<Event> events) {
        this.events = events;
    }

    /** The trace of a run: its KTRACE markers, in the kernel's order. */
    public static KernelTrace of(GuestRun run) {
        List<Event> out = new ArrayList<>();
        for (GuestMarker m : run.markers("KTRACE")) {
            Event e = parse(String.join(" ", m.args()));
            if (e != null) {
                out.add(e);
            }
        }
        return new KernelTrace(List.copyOf(out));
    }

    static Event parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return null;
        }
        Map<String, String> args = new LinkedHashMap<>();
        for (String word : m.group(6).trim().split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                args.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return new Event(
                m.group(1),
                Integer.parseInt(m.group(2)),
                Double.parseDouble(m.group(3)),
                m.group(4),
                m.group(5),
                Map.copyOf(args));
    }

    public List<Event> events() {
        return events;
    }

    public boolean isEmpty() {
        return events.isEmpty();
    }

    /** The sysfs name of a state value, or "state N" for one this table does not know. */
    public static String stateName(long value) {
        return value > 0 && value < STATES.length ? STATES[(int) value] : "state " + value;
    }

    /**
     * The device's states as the kernel changed them, from the first "running" on (the scan's
     * created -> running is not part of a scenario), each change once: scsi_device_set_state's new
     * state, and device_unblock's, which scsi_internal_device_unblock writes directly and only to a
     * blocked device (BLOCK -> the new state, CREATED_BLOCK -> CREATED). Empty when the trace has
     * no state changes.
     */
    public List<String> states() {
        List<String> out = new ArrayList<>();
        for (Event e : events) {
            String next;
            if (e.probe().equals("set_state")) {
                next = stateName(e.number("new", -1));
            } else if (e.probe().equals("device_unblock") && !out.isEmpty()) {
                String now = out.get(out.size() - 1);
                if (now.equals("blocked")) {
                    next = stateName(e.number("new", -1));
                } else if (now.equals("created-blocked")) {
                    next = "created";
                } else {
                    continue; // the unblock leaves a device that is not blocked as it is
                }
            } else {
                continue;
            }
            if (out.isEmpty()) {
                if (!next.equals("running")) {
                    continue;
                }
            } else if (out.get(out.size() - 1).equals(next)) {
                continue;
            }
            out.add(next);
        }
        return out;
    }

    /**
     * The scsi_device_get calls that refused a device (a negative result, -ENXIO for a device in
     * CANCEL or DEL): each unblock that skipped the device does one.
     */
    public List<Event> refusedGets() {
        return events.stream()
                .filter(e -> e.probe().equals("device_get_ret") && e.number("ret", 0) < 0)
                .toList();
    }

    /** The calls of device_unblock, the step that restarts a device's queue. */
    public List<Event> unblocks() {
        return events.stream().filter(e -> e.probe().equals("device_unblock")).toList();
    }

    /**
     * The trace as the host model's causal trace has it: one lane per kernel task, the state
     * changes, the unblocks with each device they visited or skipped and why, sd's SYNCHRONIZE
     * CACHE; the scsi_device_get calls outside an unblock are left out.
     */
    public List<TraceEvent> causal() {
        List<TraceEvent> out = new ArrayList<>();
        long lastGetState = -1;
        for (Event e : events) {
            String lane = e.task() + "-" + e.pid();
            long micros = Math.round(e.seconds() * 1_000_000);
            Map<String, String> args = new LinkedHashMap<>();
            String name;
            switch (e.probe()) {
                case "set_state" -> {
                    name = "scsi_device_set_state";
                    if (e.args().containsKey("old")) {
                        args.put("from", stateName(e.number("old", -1)));
                    }
                    args.put("to", stateName(e.number("new", -1)));
                }
                case "device_unblock" -> {
                    name = "unblock visits";
                    args.put("new state", stateName(e.number("new", -1)));
                }
                case "device_block" -> name = "device_block";
                case "target_unblock" -> {
                    name = "scsi_target_unblock";
                    args.put("new state", stateName(e.number("new", -1)));
                }
                case "device_get" -> {
                    lastGetState = e.number("state", -1);
                    continue;
                }
                case "device_get_ret" -> {
                    boolean inUnblock = e.at().contains("starget_for_each_device");
                    long ret = e.number("ret", 0);
                    if (ret >= 0 || !inUnblock) {
                        continue;
                    }
                    name = "unblock skips";
                    args.put(
                            "reason",
                            "scsi_device_get refused the "
                                    + (lastGetState > 0 ? stateName(lastGetState) + " " : "")
                                    + "device ("
                                    + ret
                                    + ")");
                }
                case "sync_cache" -> name = "sd_sync_cache: SYNCHRONIZE CACHE queued";
                default -> {
                    continue;
                }
            }
            out.add(
                    new TraceEvent(
                            out.size() + 1L,
                            micros,
                            lane,
                            name,
                            Collections.unmodifiableMap(args)));
        }
        return out;
    }

    /** The calls of sd_sync_cache (sd's SYNCHRONIZE CACHE, as at shutdown on removal). */
    public List<Event> syncCaches() {
        return events.stream().filter(e -> e.probe().equals("sync_cache")).toList();
    }
}
