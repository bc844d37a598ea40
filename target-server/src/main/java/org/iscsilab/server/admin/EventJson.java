package org.iscsilab.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.iscsilab.core.fault.EventLog;

/**
 * An event of the log as the admin API writes it (GET /api/v1/events) and as its clients read it
 * back: the one definition of that JSON shape. Parts an event lacks are left out.
 */
public final class EventJson {
    private EventJson() {}

    /** Writes {@code e} into {@code n}. */
    public static ObjectNode encode(EventLog.Event e, ObjectNode n) {
        n.put("sequence", e.sequence());
        n.put("time", Instant.ofEpochMilli(e.timeMillis()).toString());
        n.put("type", e.type().name());
        putIfKnown(n, "initiator", e.initiator());
        if (e.tsih() >= 0) {
            n.put("tsih", e.tsih());
        }
        if (e.lun() >= 0) {
            n.put("lun", e.lun());
        }
        if (e.opcode() >= 0) {
            n.put("opcode", String.format("0x%02x", e.opcode()));
        }
        if (e.lba() >= 0) {
            n.put("lba", e.lba());
            n.put("blocks", e.blocks());
        }
        putIfKnown(n, "status", e.status());
        putIfKnown(n, "detail", e.detail());
        if (e.taskTag() >= 0) {
            n.put("taskTag", String.format("0x%08x", e.taskTag()));
        }
        return n;
    }

    /** Reads an event written by {@link #encode}. */
    public static EventLog.Event decode(JsonNode n) {
        return new EventLog.Event(
                n.get("sequence").asLong(),
                Instant.parse(n.get("time").asText()).toEpochMilli(),
                EventLog.Type.valueOf(n.get("type").asText()),
                text(n, "initiator"),
                n.path("tsih").asInt(-1),
                n.path("lun").asInt(-1),
                n.has("opcode") ? Integer.decode(n.get("opcode").asText()) : -1,
                n.path("lba").asLong(-1),
                n.path("blocks").asLong(0),
                text(n, "status"),
                text(n, "detail"),
                n.has("taskTag") ? Long.decode(n.get("taskTag").asText()) : -1);
    }

    /** The event's time as the API writes it (ISO-8601, UTC). */
    public static String time(EventLog.Event e) {
        return Instant.ofEpochMilli(e.timeMillis()).toString();
    }

    /** What happened, in one line: "0x28 LBA 0+8 GOOD", "fault #1 busy", "response 0". */
    public static String summary(EventLog.Event e) {
        StringBuilder sb = new StringBuilder();
        if (e.opcode() >= 0) {
            sb.append(String.format("0x%02x", e.opcode()));
        }
        if (e.lba() >= 0) {
            sb.append(sb.length() == 0 ? "" : " ")
                    .append("LBA ")
                    .append(e.lba())
                    .append('+')
                    .append(e.blocks());
        }
        for (String part : new String[] {e.status(), e.detail()}) {
            if (part != null && !part.isEmpty()) {
                sb.append(sb.length() == 0 ? "" : " ").append(part);
            }
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }

    private static void putIfKnown(ObjectNode n, String key, String value) {
        if (value != null) {
            n.put(key, value);
        }
    }

    private static String text(JsonNode n, String field) {
        return n.has(field) ? n.get(field).asText() : null;
    }
}
