package org.iscsilab.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.core.fault.FaultRule;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.store.Sizes;
import org.iscsilab.iscsi.node.IscsiTarget;
import org.iscsilab.iscsi.node.IscsiTargetServer;
import org.iscsilab.iscsi.node.TargetSession;
import org.iscsilab.scsi.SenseException;

/**
 * The admin API behind HTTP: fault rules, the event log, LUNs and sessions of one target server, as
 * JSON. Independent of the HTTP plumbing ({@link AdminServer}), so it is tested directly.
 *
 * <pre>
 * GET    /api/v1/faults                 list rules with their match and fire counts
 * POST   /api/v1/faults   {"rule":"medium-error,lun=0,lba=100-199"}
 * DELETE /api/v1/faults/ID | /api/v1/faults
 * GET    /api/v1/events?type=COMMAND&amp;lun=0&amp;opcode=0x35&amp;initiator=IQN&amp;since=SEQ&amp;limit=N
 * GET    /api/v1/luns
 * POST   /api/v1/luns     {"spec":"ram:1G,thin"} (optional "lun": N)
 * PATCH  /api/v1/luns/N   {"size":"2G"} | {"readOnly":true} | {"medium":"eject"|"load"}
 * DELETE /api/v1/luns/N
 * GET    /api/v1/sessions
 * </pre>
 *
 * A LUN request names a target with {@code ?target=IQN} when the server has more than one.
 */
public final class AdminApi {
    /** A JSON answer: HTTP status and body (empty for 204). */
    public record Response(int status, String body, String contentType) {
        public Response(int status, String body) {
            this(status, body, "application/json");
        }
    }

    /** Prometheus' text exposition format. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final IscsiTargetServer server;
    private final LunFactory lunFactory;
    private final PrometheusMeterRegistry metrics;
    private final ObjectMapper json = new ObjectMapper();

    public AdminApi(
            IscsiTargetServer server, LunFactory lunFactory, PrometheusMeterRegistry metrics) {
        this.server = server;
        this.lunFactory = lunFactory;
        this.metrics = metrics;
    }

    public Response handle(
            String method, String path, Map<String, List<String>> query, String body) {
        try {
            return route(method, stripSlash(path), query, body == null ? "" : body);
        } catch (ApiException e) {
            return error(e.status(), e.getMessage());
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        } catch (SenseException e) {
            return error(409, e.sense().toString());
        } catch (IOException e) {
            return error(500, "I/O error: " + e.getMessage());
        }
    }

    private static String stripSlash(String p) {
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private Response route(String method, String path, Map<String, List<String>> query, String body)
            throws IOException {
        if (path.equals("/metrics")) {
            // Prometheus scrapes /metrics by convention (outside /api/v1/)
            if (!method.equals("GET")) {
                throw new ApiException(405, method + " is not allowed on /metrics; use GET");
            }
            return new Response(200, metrics.scrape(), PROMETHEUS_TEXT);
        }
        String[] parts = path.split("/");
        if (parts.length < 4 || !parts[1].equals("api") || !parts[2].equals("v1")) {
            throw ApiException.notFound(
                    "no such resource "
                            + path
                            + "; the API lives under /api/v1/ "
                            + "(faults, events, luns, sessions)");
        }
        String resource = parts[3];
        String id = parts.length > 4 ? parts[4] : null;
        if (parts.length > 5) {
            throw ApiException.notFound("no such resource " + path);
        }
        return switch (resource) {
            case "faults" -> faults(method, id, body);
            case "events" -> only(method, "GET", id, () -> events(query));
            case "luns" -> luns(method, id, query, body);
            case "sessions" -> only(method, "GET", id, this::sessions);
            default ->
                    throw ApiException.notFound(
                            "no such resource '"
                                    + resource
                                    + "'; use faults, events, luns or sessions");
        };
    }

    private interface Action {
        Response run() throws IOException;
    }

    private static Response only(String method, String allowed, String id, Action a)
            throws IOException {
        if (id != null) {
            throw ApiException.notFound("this resource has no sub-resources");
        }
        if (!method.equals(allowed)) {
            throw new ApiException(405, method + " is not allowed here; use " + allowed);
        }
        return a.run();
    }

    // ---- faults ----

    private Response faults(String method, String id, String body) {
        switch (method) {
            case "GET" -> {
                ArrayNode a = json.createArrayNode();
                server.faults().list().forEach(r -> a.add(rule(r)));
                return ok(200, a);
            }
            case "POST" -> {
                if (id != null) {
                    throw new ApiException(405, "POST goes to /api/v1/faults");
                }
                String spec =
                        text(
                                body(body),
                                "rule",
                                "the fault rule, e.g. {\"rule\":\"medium-error,lun=0\"}");
                return ok(201, rule(server.faults().add(spec)));
            }
            case "DELETE" -> {
                if (id == null) {
                    server.faults().clear();
                    return new Response(204, "");
                }
                if (!server.faults().remove(number(id, "fault rule id"))) {
                    throw ApiException.notFound(
                            "no fault rule " + id + "; GET /api/v1/faults lists them");
                }
                return new Response(204, "");
            }
            default ->
                    throw new ApiException(
                            405, method + " is not allowed on faults; use GET, POST or DELETE");
        }
    }

    private ObjectNode rule(FaultRule r) {
        ObjectNode n = json.createObjectNode();
        n.put("id", r.id());
        n.put("rule", r.spec());
        n.put("layer", r.action().layer().name());
        n.put("matched", r.matched());
        n.put("fired", r.fired());
        return n;
    }

    // ---- events ----

    private Response events(Map<String, List<String>> query) {
        Predicate<EventLog.Event> filter = e -> true;
        String type = param(query, "type");
        if (type != null) {
            EventLog.Type t;
            try {
                t = EventLog.Type.valueOf(type.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException x) {
                throw ApiException.badRequest(
                        "type=" + type + ": use LOGIN, LOGOUT, COMMAND, TASK_MANAGEMENT or FAULT");
            }
            filter = filter.and(e -> e.type() == t);
        }
        String lun = param(query, "lun");
        if (lun != null) {
            int l = number(lun, "lun");
            filter = filter.and(e -> e.lun() == l);
        }
        String opcode = param(query, "opcode");
        if (opcode != null) {
            int op = number(opcode, "opcode");
            filter = filter.and(e -> e.opcode() == op);
        }
        String initiator = param(query, "initiator");
        if (initiator != null) {
            filter = filter.and(e -> initiator.equals(e.initiator()));
        }
        String since = param(query, "since");
        if (since != null) {
            long s = number(since, "since");
            filter = filter.and(e -> e.sequence() > s);
        }
        String limitText = param(query, "limit");
        int limit = limitText == null ? 1000 : number(limitText, "limit");
        List<EventLog.Event> found = server.events().events(filter);
        ObjectNode out = json.createObjectNode();
        out.put("recorded", server.events().recorded());
        out.put("capacity", server.events().capacity());
        out.put("matching", found.size());
        ArrayNode a = out.putArray("events");
        for (EventLog.Event e : found.subList(Math.max(0, found.size() - limit), found.size())) {
            EventJson.encode(e, a.addObject());
        }
        return ok(200, out);
    }

    private static void putIfKnown(ObjectNode n, String key, String value) {
        if (value != null) {
            n.put(key, value);
        }
    }

    // ---- LUNs ----

    private Response luns(String method, String id, Map<String, List<String>> query, String body)
            throws IOException {
        IscsiTarget target = target(query);
        ScsiTargetDevice device = target.device();
        switch (method) {
            case "GET" -> {
                if (id != null) {
                    return ok(200, lun(existing(device, id)));
                }
                ArrayNode a = json.createArrayNode();
                device.logicalUnits().forEach(lu -> a.add(lun(lu)));
                return ok(200, a);
            }
            case "POST" -> {
                if (id != null) {
                    throw new ApiException(405, "POST goes to /api/v1/luns");
                }
                JsonNode req = body(body);
                String spec = text(req, "spec", "the LUN spec, e.g. {\"spec\":\"ram:1G,thin\"}");
                int number = req.has("lun") ? req.get("lun").asInt(-1) : nextFreeLun(device);
                if (number < 0 || number > 16383) {
                    throw ApiException.badRequest("lun must be 0 to 16383");
                }
                if (device.logicalUnit(number) != null) {
                    throw new ApiException(
                            409,
                            "LUN " + number + " exists; DELETE it first or pick another number");
                }
                LogicalUnit lu = lunFactory.create(number, target.name(), spec);
                device.addLogicalUnit(lu);
                return ok(201, lun(lu));
            }
            case "PATCH" -> {
                LogicalUnit lu = existing(device, id);
                JsonNode req = body(body);
                if (req.has("size")) {
                    lu.resize(Sizes.parse(req.get("size").asText()));
                }
                if (req.has("readOnly")) {
                    if (!req.get("readOnly").isBoolean()) {
                        throw ApiException.badRequest("readOnly must be true or false");
                    }
                    lu.setReadOnly(req.get("readOnly").asBoolean());
                }
                if (req.has("medium")) {
                    String m = req.get("medium").asText();
                    if (!lu.removable()) {
                        throw new ApiException(
                                409, "LUN " + id + " is not removable (create it with ,removable)");
                    }
                    if (!m.equals("eject") && !m.equals("load")) {
                        throw ApiException.badRequest("medium must be \"eject\" or \"load\"");
                    }
                    lu.medium().loadOrEject(null, m.equals("load"));
                }
                if (!req.has("size") && !req.has("readOnly") && !req.has("medium")) {
                    throw ApiException.badRequest(
                            "give size, readOnly or medium, e.g. {\"size\":\"2G\"}");
                }
                return ok(200, lun(lu));
            }
            case "DELETE" -> {
                existing(device, id);
                device.removeLogicalUnit(number(id, "LUN"));
                return new Response(204, "");
            }
            default ->
                    throw new ApiException(
                            405,
                            method + " is not allowed on luns; use GET, POST, PATCH or DELETE");
        }
    }

    private static int nextFreeLun(ScsiTargetDevice device) {
        int n = 0;
        while (device.logicalUnit(n) != null) {
            n++;
        }
        return n;
    }

    private IscsiTarget target(Map<String, List<String>> query) {
        String name = param(query, "target");
        List<IscsiTarget> all = server.targets();
        if (name != null) {
            IscsiTarget t = server.target(name);
            if (t == null) {
                throw ApiException.notFound("no target " + name);
            }
            return t;
        }
        if (all.size() != 1) {
            throw ApiException.badRequest(
                    "this server has " + all.size() + " targets; name one with ?target=IQN");
        }
        return all.get(0);
    }

    private static LogicalUnit existing(ScsiTargetDevice device, String id) {
        if (id == null) {
            throw ApiException.badRequest("name the LUN: /api/v1/luns/N");
        }
        LogicalUnit lu = device.logicalUnit(number(id, "LUN"));
        if (lu == null) {
            throw ApiException.notFound("no LUN " + id + "; GET /api/v1/luns lists them");
        }
        return lu;
    }

    private ObjectNode lun(LogicalUnit lu) {
        ObjectNode n = json.createObjectNode();
        n.put("lun", lu.lun());
        n.put("store", lu.store().describe());
        n.put("blockSize", lu.blockSize());
        n.put("blocks", lu.blockCount());
        n.put("bytes", lu.blockCount() * lu.blockSize());
        n.put("readOnly", lu.writeProtected());
        n.put("thin", lu.thin());
        n.put("removable", lu.removable());
        if (lu.removable()) {
            n.put("mediumPresent", lu.medium().present());
        }
        n.put("serial", lu.identity().serial());
        return n;
    }

    // ---- sessions ----

    private Response sessions() {
        ArrayNode a = json.createArrayNode();
        for (TargetSession s : server.sessions().all()) {
            ObjectNode n = a.addObject();
            n.put("tsih", s.tsih());
            n.put("initiator", s.initiatorName());
            n.put("isid", String.format("%012x", s.isid()));
            putIfKnown(n, "target", s.targetName());
            n.put("portal", s.portal());
            n.put("discovery", s.discovery());
        }
        return ok(200, a);
    }

    // ---- helpers ----

    private JsonNode body(String body) {
        if (body.isBlank()) {
            throw ApiException.badRequest("this request needs a JSON body");
        }
        try {
            JsonNode n = json.readTree(body);
            if (!n.isObject()) {
                throw ApiException.badRequest("the body must be a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode n, String field, String what) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw ApiException.badRequest("missing \"" + field + "\": " + what);
        }
        return v.asText();
    }

    private static String param(Map<String, List<String>> query, String key) {
        List<String> v = query.get(key);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static int number(String text, String what) {
        try {
            return Integer.decode(text);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(what + " '" + text + "' is not a number");
        }
    }

    private Response ok(int status, JsonNode body) {
        try {
            return new Response(
                    status, json.writerWithDefaultPrettyPrinter().writeValueAsString(body) + "\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Response error(int status, String message) {
        ObjectNode n = json.createObjectNode();
        n.put("error", message);
        n.put("status", status);
        return ok(status, n);
    }
}
