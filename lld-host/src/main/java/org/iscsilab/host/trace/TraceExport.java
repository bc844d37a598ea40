package org.iscsilab.host.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Causal traces as files people open: the Chrome trace event format (chrome://tracing, Perfetto's
 * UI), one process per host and one thread per lane, every step an instant event with its details;
 * and a Mermaid sequence diagram, one participant per lane.
 */
public final class TraceExport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TraceExport() {}

    /** One host's steps under a process name ("Java host, v4.11", "linux 4.9.337"). */
    public record Process(String name, List<TraceEvent> events) {}

    /** The Chrome trace event JSON object of these processes. */
    public static String chrome(List<Process> processes) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode out = root.putArray("traceEvents");
        int pid = 0;
        for (Process p : processes) {
            pid++;
            ObjectNode meta = out.addObject();
            meta.put("name", "process_name").put("ph", "M").put("pid", pid);
            meta.putObject("args").put("name", p.name());
            Map<String, Integer> tids = new LinkedHashMap<>();
            for (TraceEvent e : p.events()) {
                Integer tid = tids.get(e.lane());
                if (tid == null) {
                    tid = tids.size() + 1;
                    tids.put(e.lane(), tid);
                    ObjectNode thread = out.addObject();
                    thread.put("name", "thread_name")
                            .put("ph", "M")
                            .put("pid", pid)
                            .put("tid", tid);
                    thread.putObject("args").put("name", e.lane());
                }
                ObjectNode ev = out.addObject();
                ev.put("name", e.name())
                        .put("ph", "i")
                        .put("s", "t")
                        .put("ts", e.micros())
                        .put("pid", pid)
                        .put("tid", tid);
                ObjectNode args = ev.putObject("args");
                args.put("sequence", e.sequence());
                e.args().forEach(args::put);
            }
        }
        root.put("displayTimeUnit", "ms");
        return root.toPrettyString();
    }

    /** A Mermaid sequence diagram of one host's steps, in sequence order. */
    public static String mermaid(Process p) {
        StringBuilder sb = new StringBuilder("sequenceDiagram\n");
        sb.append("    title ").append(clean(p.name())).append('\n');
        List<String> lanes = new ArrayList<>();
        for (TraceEvent e : p.events()) {
            if (!lanes.contains(e.lane())) {
                lanes.add(e.lane());
                sb.append("    participant L")
                        .append(lanes.size())
                        .append(" as ")
                        .append(clean(e.lane()))
                        .append('\n');
            }
        }
        for (TraceEvent e : p.events()) {
            String l = "L" + (lanes.indexOf(e.lane()) + 1);
            StringBuilder text = new StringBuilder(e.sequence() + ". " + e.name());
            e.args().forEach((k, v) -> text.append(", ").append(k).append('=').append(v));
            sb.append("    Note over ")
                    .append(l)
                    .append(": ")
                    .append(clean(text.toString()))
                    .append('\n');
        }
        return sb.toString();
    }

    /** Mermaid ends a statement at a newline and treats ';' and '#' specially. */
    private static String clean(String s) {
        return s.replace('\n', ' ').replace(';', ',').replace("#", "no. ");
    }
}
