package org.iscsilab.host.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.scsi.ScsiOpcode;

/**
 * Puts the target's side into a host's causal trace. Every event of the target's log becomes a step
 * on the lane {@value #TARGET_LANE}, placed by time on the host trace's clock; a command the host
 * sent (a step with an {@code itt}) is matched to the target's record of it by task tag, and says
 * how the target answered; each of sd's SYNCHRONIZE CACHE steps says whether the target received a
 * SYNCHRONIZE CACHE after it. The merged steps are numbered again in the order of the merge.
 */
public final class WireCorrelation {
    /** The lane of the target's events. */
    public static final String TARGET_LANE = "iscsilab target";

    /** The target's clock has millisecond steps: a record may lie this far before its cause. */
    private static final long CLOCK_STEP_MICROS = 1_000;

    /**
     * How far apart a command's two records may lie: the host notes a command once its ITT is
     * known, on the initiator's event loop, which can be after the target answered it.
     */
    private static final long MATCH_WINDOW_MICROS = 50_000;

    private static final String SYNC_CACHE_STEP = "sd_sync_cache";

    /** A target event and its time on the host trace's clock (micros since the trace began). */
    public record AtTarget(long micros, EventLog.Event event) {}

    private WireCorrelation() {}

    /** A step of the merge: its time, which side it is from, its place on that side. */
    private record Entry(long micros, int side, int index, TraceEvent step) {}

    /**
     * The host's steps and the target's events as one trace. {@code host} may hold several lanes
     * from several sources; it is ordered by time, keeping the given order among equal times.
     */
    public static List<TraceEvent> merge(List<TraceEvent> host, List<AtTarget> target) {
        List<Entry> entries = new ArrayList<>();
        List<TraceEvent> hostSteps = new ArrayList<>(host);
        hostSteps.sort(Comparator.comparingLong(TraceEvent::micros));
        Map<Integer, String> answers = new LinkedHashMap<>();
        for (int t = 0; t < target.size(); t++) {
            AtTarget at = target.get(t);
            long micros = at.micros();
            int cause = cause(hostSteps, at);
            if (cause >= 0) {
                micros = Math.max(micros, hostSteps.get(cause).micros());
                answers.merge(cause, answer(at.event()), (a, b) -> a + "; then " + b);
            }
            entries.add(new Entry(micros, 1, t, targetStep(at.event())));
        }
        for (int i = 0; i < hostSteps.size(); i++) {
            TraceEvent step = hostSteps.get(i);
            Map<String, String> args = new LinkedHashMap<>(step.args());
            if (answers.containsKey(i)) {
                args.put("at the target", answers.get(i));
            }
            if (step.name().startsWith(SYNC_CACHE_STEP)) {
                args.put("reached the target", syncCacheAfter(target, step.micros()));
            }
            entries.add(
                    new Entry(
                            step.micros(),
                            0,
                            i,
                            new TraceEvent(
                                    0,
                                    step.micros(),
                                    step.lane(),
                                    step.name(),
                                    Collections.unmodifiableMap(args))));
        }
        entries.sort(
                Comparator.comparingLong(Entry::micros)
                        .thenComparingInt(Entry::side)
                        .thenComparingInt(Entry::index));
        // trace viewers start at zero: a target event before the host's first step moves all
        long shift = entries.isEmpty() ? 0 : Math.max(0, -entries.get(0).micros());
        List<TraceEvent> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            TraceEvent s = e.step();
            out.add(
                    new TraceEvent(
                            out.size() + 1L, e.micros() + shift, s.lane(), s.name(), s.args()));
        }
        return out;
    }

    /**
     * The host step that sent this command: of the steps with its task tag, the one nearest to the
     * target's record of it within the match window (a tag is used again once its command is done,
     * so the nearest is the one).
     */
    private static int cause(List<TraceEvent> host, AtTarget at) {
        long tag = at.event().taskTag();
        if (tag < 0) {
            return -1;
        }
        int best = -1;
        long bestDistance = MATCH_WINDOW_MICROS + 1;
        for (int i = 0; i < host.size(); i++) {
            TraceEvent h = host.get(i);
            String itt = h.args().get("itt");
            long distance = Math.abs(h.micros() - at.micros());
            if (itt == null || distance > bestDistance) {
                continue;
            }
            try {
                if (Long.decode(itt) == tag) {
                    best = i;
                    bestDistance = distance;
                }
            } catch (NumberFormatException notATag) {
                // an itt argument that is not a number names no command
            }
        }
        return best;
    }

    private static String answer(EventLog.Event e) {
        return switch (e.type()) {
            case FAULT -> "a fault fired on it: " + e.detail();
            case ALUA -> e.detail();
            case TASK_MANAGEMENT -> e.status();
            default -> e.status() == null ? e.type().name() : e.status();
        };
    }

    /** Whether the target logged a SYNCHRONIZE CACHE (10 or 16, answered or held) from then on. */
    private static String syncCacheAfter(List<AtTarget> target, long micros) {
        for (AtTarget at : target) {
            EventLog.Event e = at.event();
            if (at.micros() + CLOCK_STEP_MICROS >= micros
                    && (e.type() == EventLog.Type.COMMAND || e.type() == EventLog.Type.FAULT)
                    && (e.opcode() == ScsiOpcode.SYNCHRONIZE_CACHE_10
                            || e.opcode() == ScsiOpcode.SYNCHRONIZE_CACHE_16)) {
                return "yes: " + answer(e);
            }
        }
        return "no: the target's log has no SYNCHRONIZE CACHE after it";
    }

    private static TraceEvent targetStep(EventLog.Event e) {
        Map<String, String> args = new LinkedHashMap<>();
        if (e.initiator() != null) {
            args.put("initiator", e.initiator());
        }
        if (e.lun() >= 0) {
            args.put("lun", Integer.toString(e.lun()));
        }
        if (e.opcode() >= 0) {
            args.put("opcode", String.format("%02Xh", e.opcode()));
        }
        if (e.lba() >= 0) {
            args.put("lba", e.lba() + "+" + e.blocks());
        }
        if (e.status() != null) {
            args.put("status", e.status());
        }
        if (e.detail() != null) {
            args.put("detail", e.detail());
        }
        if (e.taskTag() >= 0) {
            args.put("itt", String.format("0x%x", e.taskTag()));
        }
        args.put("target event", Long.toString(e.sequence()));
        String name =
                switch (e.type()) {
                    case COMMAND -> String.format("target: command %02Xh", e.opcode());
                    case TASK_MANAGEMENT -> "target: task management";
                    case LOGIN -> "target: login";
                    case LOGOUT -> "target: logout";
                    case FAULT -> "target: fault fired";
                    case ALUA -> "target: access state changed";
                };
        return new TraceEvent(0, 0, TARGET_LANE, name, Collections.unmodifiableMap(args));
    }
}
