package org.iscsilab.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.iscsilab.core.LunSpec;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.alua.AccessState;
import org.iscsilab.core.alua.Alua;
import org.iscsilab.core.alua.TargetPortGroup;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.core.fault.FaultRule;
import org.iscsilab.core.fault.FaultSpec;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.iscsi.node.IscsiTarget;
import org.iscsilab.iscsi.node.IscsiTargetServer;
import org.iscsilab.iscsi.node.TargetSession;
import org.iscsilab.scsi.LunAddress;
import org.slf4j.Logger;

/**
 * The admin API behind HTTP: fault rules, the event log, LUNs and sessions of one target server, as
 * JSON. Independent of the HTTP plumbing ({@link AdminServer}), so it is tested directly. The
 * operations are the table {@link Endpoints#ALL}; {@code GET /api/v1/} lists it.
 *
 * <p>Every request is checked whole before anything is applied (path, method, query parameters,
 * body fields and their types, then the state it would change), so a refused request changes
 * nothing. Statuses: 400 for a bad request, 404 for no such thing, 405 for a method the path does
 * not take, 409 for a request that conflicts with the target's state; 500 only for a defect of the
 * target itself, logged with its stack trace. A LUN request names a target with {@code ?target=IQN}
 * when the server has more than one.
 */
public final class AdminApi {
    private static final Logger log = TargetLog.get(AdminApi.class);

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
    private final SnapshotShelf snapshots = new SnapshotShelf();

    public AdminApi(
            IscsiTargetServer server, LunFactory lunFactory, PrometheusMeterRegistry metrics) {
        this.server = server;
        this.lunFactory = lunFactory;
        this.metrics = metrics;
    }

    public Response handle(
            String method, String path, Map<String, List<String>> query, String body) {
        try {
            return route(method, path, query, body == null ? "" : body);
        } catch (ApiException e) {
            return error(e.status(), e.getMessage());
        } catch (RuntimeException e) {
            log.error("admin API: {} {} failed", method, path, e);
            return error(
                    500,
                    "internal error of the target ("
                            + e.getClass().getSimpleName()
                            + ": "
                            + e.getMessage()
                            + "); the target's log has the details");
        }
    }

    /** A request matched to its operation, with the value of the path's variable segment. */
    private record Call(Endpoint endpoint, String id, QueryParameters query, String body) {}

    private Response route(
            String method, String path, Map<String, List<String>> query, String body) {
        return dispatch(match(method, path, query, body));
    }

    private Call match(String method, String path, Map<String, List<String>> query, String body) {
        String clean =
                path.equals("/api/v1")
                        ? Endpoints.BASE
                        : path.length() > 1 && path.endsWith("/") && !path.equals(Endpoints.BASE)
                                ? path.substring(0, path.length() - 1)
                                : path;
        for (Endpoint candidate : Endpoints.ALL) {
            String id = variable(candidate.path(), clean);
            if (id == null) {
                continue;
            }
            Endpoint e = Endpoints.find(method, candidate.path());
            if (e == null) {
                throw new ApiException(
                        405,
                        method
                                + " is not allowed on "
                                + candidate.path()
                                + "; use "
                                + Endpoints.methodsOn(candidate.path()));
            }
            return new Call(e, id.isEmpty() ? null : id, QueryParameters.check(e, query), body);
        }
        throw ApiException.notFound(
                "no such resource "
                        + path
                        + "; GET "
                        + Endpoints.BASE
                        + " lists the operations ("
                        + Endpoints.paths()
                        + ")");
    }

    /**
     * The variable segment's value when {@code path} matches {@code pattern} ("" if it has none),
     * else null.
     */
    private static String variable(String pattern, String path) {
        int open = pattern.indexOf('{');
        if (open < 0) {
            return pattern.equals(path) ? "" : null;
        }
        String prefix = pattern.substring(0, open);
        String suffix = pattern.substring(pattern.indexOf('}') + 1); // e.g. "/reset"
        if (!path.startsWith(prefix)
                || !path.endsWith(suffix)
                || path.length() <= prefix.length() + suffix.length()) {
            return null;
        }
        String value = path.substring(prefix.length(), path.length() - suffix.length());
        return value.contains("/") ? null : value;
    }

    private Response dispatch(Call c) {
        String path = c.endpoint().path();
        String op =
                c.endpoint().method()
                        + " "
                        + (path.startsWith(Endpoints.BASE)
                                ? path.substring(Endpoints.BASE.length())
                                : path);
        return switch (op) {
            case "GET " -> index();
            case "GET faults" -> faults();
            case "POST faults" -> addFault(RequestBody.parse(c.endpoint(), c.body()));
            case "DELETE faults" -> clearFaults();
            case "DELETE faults/{id}" -> removeFault(c.id());
            case "GET events" -> events(c.query());
            case "GET luns" -> luns(target(c.query()));
            case "GET luns/{lun}" -> ok(200, lun(existing(target(c.query()), c.id())));
            case "POST luns" ->
                    addLun(target(c.query()), RequestBody.parse(c.endpoint(), c.body()));
            case "PATCH luns/{lun}" -> changeLun(target(c.query()), c.id(), c.endpoint(), c.body());
            case "DELETE luns/{lun}" -> removeLun(target(c.query()), c.id());
            case "POST luns/{lun}/reset" -> resetLun(target(c.query()), c.id());
            case "POST luns/{lun}/snapshots" -> takeSnapshot(target(c.query()), c.id());
            case "GET snapshots" -> ok(200, snapshots.list(json));
            case "POST snapshots/{id}/restore" -> restoreSnapshot(c.id());
            case "DELETE snapshots/{id}" -> dropSnapshot(c.id());
            case "GET alua" -> ok(200, alua(target(c.query())));
            case "PATCH alua/groups/{group}" ->
                    changeGroup(target(c.query()), c.id(), c.endpoint(), c.body());
            case "GET sessions" -> sessions();
            case "GET /metrics" -> new Response(200, metrics.scrape(), PROMETHEUS_TEXT);
            default -> throw new IllegalStateException("no handler for " + c.endpoint());
        };
    }

    // ---- the index ----

    private Response index() {
        ArrayNode a = json.createArrayNode();
        for (Endpoint e : Endpoints.ALL) {
            ObjectNode n = a.addObject();
            n.put("method", e.method());
            n.put("path", e.path());
            n.put("description", e.description());
            if (!e.query().isEmpty()) {
                ArrayNode q = n.putArray("query");
                e.query().forEach(q::add);
            }
            if (!e.body().isEmpty()) {
                ArrayNode fields = n.putArray("body");
                for (Endpoint.Field f : e.body()) {
                    ObjectNode fn = fields.addObject();
                    fn.put("name", f.name());
                    fn.put("type", f.type().name().toLowerCase(Locale.ROOT));
                    fn.put("required", f.required());
                    fn.put("description", f.description());
                }
            }
        }
        return ok(200, a);
    }

    // ---- faults ----

    private Response faults() {
        ArrayNode a = json.createArrayNode();
        server.faults().list().forEach(r -> a.add(rule(r)));
        return ok(200, a);
    }

    private Response addFault(RequestBody req) {
        try {
            return ok(201, rule(server.faults().add(req.string("rule"))));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("rule '" + req.string("rule") + "': " + e.getMessage());
        }
    }

    private Response clearFaults() {
        server.faults().clear();
        return new Response(204, "");
    }

    private Response removeFault(String id) {
        int n = (int) QueryParameters.number("fault rule id", id, 1, Integer.MAX_VALUE);
        if (!server.faults().remove(n)) {
            throw ApiException.notFound(
                    "no fault rule " + id + " (GET " + Endpoints.BASE + "faults lists them)");
        }
        return new Response(204, "");
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

    private Response events(QueryParameters q) {
        Predicate<EventLog.Event> filter = e -> true;
        String type = q.text("type");
        if (type != null) {
            EventLog.Type t;
            try {
                t = EventLog.Type.valueOf(type.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException x) {
                throw ApiException.badRequest(
                        "type="
                                + type
                                + ": use LOGIN, LOGOUT, COMMAND, TASK_MANAGEMENT, FAULT or ALUA");
            }
            filter = filter.and(e -> e.type() == t);
        }
        Long lun = q.number("lun", 0, LunAddress.MAX_LUN);
        if (lun != null) {
            filter = filter.and(e -> e.lun() == lun);
        }
        Long opcode = q.number("opcode", 0, 255);
        if (opcode != null) {
            filter = filter.and(e -> e.opcode() == opcode);
        }
        String initiator = q.text("initiator");
        if (initiator != null) {
            filter = filter.and(e -> initiator.equals(e.initiator()));
        }
        Long since = q.number("since", 0, Long.MAX_VALUE);
        if (since != null) {
            filter = filter.and(e -> e.sequence() > since);
        }
        Long limitGiven = q.number("limit", 0, Integer.MAX_VALUE); // 0: only the counts
        int limit = limitGiven == null ? 1000 : limitGiven.intValue();
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

    // ---- LUNs ----

    private Response luns(IscsiTarget target) {
        ArrayNode a = json.createArrayNode();
        target.device().logicalUnits().forEach(lu -> a.add(lun(lu)));
        return ok(200, a);
    }

    /**
     * Adds a LUN; synchronized with the other LUN changes so two requests never take one number.
     */
    private synchronized Response addLun(IscsiTarget target, RequestBody req) {
        ScsiTargetDevice device = target.device();
        String spec = req.string("spec");
        LunSpec parsed;
        try {
            parsed = LunSpec.parse(spec);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        try {
            parsed.requireUsable();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("spec '" + spec + "': " + e.getMessage());
        }
        int number = req.has("lun") ? req.integer("lun") : nextFreeLun(device);
        if (number < 0 || number > LunAddress.MAX_LUN) {
            throw ApiException.badRequest(
                    "field 'lun' must be from 0 to " + LunAddress.MAX_LUN + ", not " + number);
        }
        if (device.logicalUnit(number) != null) {
            throw new ApiException(
                    409, "LUN " + number + " exists; remove it first or pick another number");
        }
        Path created = parsed.fileToCreate();
        LogicalUnit lu;
        try {
            lu = lunFactory.create(number, target.name(), parsed);
        } catch (IOException | IllegalArgumentException e) {
            deleteQuietly(created);
            throw ApiException.badRequest("spec '" + spec + "': " + e.getMessage());
        }
        device.addLogicalUnit(lu);
        return ok(201, lun(lu));
    }

    private synchronized Response changeLun(
            IscsiTarget target, String id, Endpoint endpoint, String body) {
        LogicalUnit lu = existing(target, id);
        LunChange.of(lu, RequestBody.parse(endpoint, body)).apply();
        return ok(200, lun(lu));
    }

    private synchronized Response removeLun(IscsiTarget target, String id) {
        LogicalUnit lu = existing(target, id);
        try {
            target.device().removeLogicalUnit(lu.lun());
        } catch (IOException e) {
            // the unit is gone from the target; only closing its store failed
            log.warn("LUN {} removed, but closing its store failed: {}", lu.lun(), e.getMessage());
        }
        return new Response(204, "");
    }

    /** Puts a LUN's first medium back (a RAM LUN's zeros, the file under an overlay). */
    private synchronized Response resetLun(IscsiTarget target, String id) {
        LogicalUnit lu = copyable(existing(target, id), "reset");
        lu.resetMedium();
        return ok(200, lun(lu));
    }

    private synchronized Response takeSnapshot(IscsiTarget target, String id) {
        LogicalUnit lu = copyable(existing(target, id), "copied");
        return ok(201, snapshots.take(target.name(), lu).json(json));
    }

    /** The unit, if its store can copy its medium (RAM, overlay); else a 409 saying which can. */
    private static LogicalUnit copyable(LogicalUnit lu, String what) {
        if (!lu.resettable()) {
            throw new ApiException(
                    409,
                    "LUN "
                            + lu.lun()
                            + " ("
                            + lu.store().describe()
                            + ") cannot be "
                            + what
                            + ": its writes are in the file; RAM LUNs and files under an overlay"
                            + " (file:PATH,overlay) can");
        }
        return lu;
    }

    private synchronized Response restoreSnapshot(String id) {
        SnapshotShelf.Snapshot s = snapshot(id);
        IscsiTarget target = server.target(s.target());
        LogicalUnit lu = target == null ? null : target.device().logicalUnit(s.lun());
        if (lu != s.unit()) {
            throw new ApiException(
                    409,
                    "snapshot "
                            + s.id()
                            + " is of LUN "
                            + s.lun()
                            + " of "
                            + s.target()
                            + ", which was removed since; it can only be dropped");
        }
        lu.restoreMedium(s.image());
        return ok(200, lun(lu));
    }

    private synchronized Response dropSnapshot(String id) {
        snapshots.drop(snapshot(id).id());
        return new Response(204, "");
    }

    private SnapshotShelf.Snapshot snapshot(String id) {
        int n = (int) QueryParameters.number("snapshot id", id, 1, Integer.MAX_VALUE);
        SnapshotShelf.Snapshot s = snapshots.get(n);
        if (s == null) {
            throw ApiException.notFound(
                    "no snapshot " + id + " (GET " + Endpoints.BASE + "snapshots lists them)");
        }
        return s;
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("could not remove {} after a refused LUN: {}", file, e.getMessage());
        }
    }

    private static int nextFreeLun(ScsiTargetDevice device) {
        int n = 0;
        while (device.logicalUnit(n) != null) {
            n++;
        }
        return n;
    }

    private IscsiTarget target(QueryParameters q) {
        String name = q.text("target");
        List<IscsiTarget> all = server.targets();
        if (name != null) {
            IscsiTarget t = server.target(name);
            if (t == null) {
                throw ApiException.notFound(
                        "no target "
                                + name
                                + "; this server has "
                                + all.stream().map(IscsiTarget::name).toList());
            }
            return t;
        }
        if (all.size() != 1) {
            throw ApiException.badRequest(
                    "this server has " + all.size() + " targets; name one with ?target=IQN");
        }
        return all.get(0);
    }

    private static LogicalUnit existing(IscsiTarget target, String id) {
        int n = (int) QueryParameters.number("LUN", id, 0, LunAddress.MAX_LUN);
        LogicalUnit lu = target.device().logicalUnit(n);
        if (lu == null) {
            throw ApiException.notFound(
                    "no LUN "
                            + n
                            + " in "
                            + target.name()
                            + " (GET "
                            + Endpoints.BASE
                            + "luns lists them)");
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
        n.put("resettable", lu.resettable());
        if (lu.removable()) {
            n.put("mediumPresent", lu.medium().present());
        }
        n.put("serial", lu.identity().serial());
        return n;
    }

    // ---- ALUA ----

    private ObjectNode alua(IscsiTarget target) {
        Alua alua = target.device().alua();
        ObjectNode n = json.createObjectNode();
        n.put("target", target.name());
        n.put("mode", alua.mode().name().toLowerCase(Locale.ROOT));
        n.put("implicitTransitionTime", alua.implicitTransitionSeconds());
        ArrayNode groups = n.putArray("groups");
        alua.groups().forEach(g -> groups.add(group(alua, g)));
        return n;
    }

    private ObjectNode group(Alua alua, TargetPortGroup g) {
        ObjectNode n = json.createObjectNode();
        n.put("id", g.id());
        ArrayNode ports = n.putArray("portals");
        alua.portsOf(g).forEach(ports::add);
        n.put("default", g.ports().isEmpty());
        n.put("state", g.state().label());
        n.put("preferred", g.preferred());
        n.put(
                "status",
                switch (g.statusCode()) {
                    case TargetPortGroup.STATUS_EXPLICIT -> "set by SET TARGET PORT GROUPS";
                    case TargetPortGroup.STATUS_IMPLICIT -> "changed by the target";
                    default -> "as configured";
                });
        return n;
    }

    /**
     * Checks the whole request (the group, the state, the transition and its duration, what needs
     * what) before it changes anything, then applies it as an implicit change.
     */
    private synchronized Response changeGroup(
            IscsiTarget target, String id, Endpoint endpoint, String body) {
        Alua alua = target.device().alua();
        int group = (int) QueryParameters.number("target port group", id, 0, 0xFFFF);
        if (!alua.hasGroup(group)) {
            throw ApiException.notFound(
                    "no target port group "
                            + group
                            + " in "
                            + target.name()
                            + " (GET "
                            + Endpoints.BASE
                            + "alua lists them)");
        }
        RequestBody req = RequestBody.parse(endpoint, body);
        if (req.isEmpty()) {
            throw ApiException.badRequest("give state or preferred (or both)");
        }
        AccessState state = null;
        if (req.has("state")) {
            try {
                state = AccessState.parse(req.string("state"));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("field 'state': " + e.getMessage());
            }
        }
        Duration transition = null;
        if (req.has("transition")) {
            if (state == null || state == AccessState.TRANSITIONING) {
                throw ApiException.badRequest(
                        "field 'transition' needs a state to end in other than transitioning");
            }
            try {
                transition = FaultSpec.duration("transition", req.string("transition"));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("field 'transition': " + e.getMessage());
            }
            if (transition.isZero() || transition.isNegative()) {
                throw ApiException.badRequest("field 'transition' must be longer than 0");
            }
        }
        boolean fails = req.has("fails") && req.bool("fails");
        if (fails && transition == null) {
            throw ApiException.badRequest("field 'fails' needs a transition");
        }
        if (req.has("preferred")) {
            alua.setPreferred(group, req.bool("preferred"));
        }
        if (transition != null) {
            alua.transition(group, state, transition, fails);
        } else if (state != null) {
            alua.setState(group, state, "admin API");
        }
        return ok(200, group(alua, alua.group(group)));
    }

    // ---- sessions ----

    private Response sessions() {
        ArrayNode a = json.createArrayNode();
        for (TargetSession s : server.sessions().all()) {
            ObjectNode n = a.addObject();
            n.put("tsih", s.tsih());
            n.put("initiator", s.initiatorName());
            n.put("isid", String.format("%012x", s.isid()));
            if (s.targetName() != null) {
                n.put("target", s.targetName());
            }
            n.put("portal", s.portal());
            n.put("discovery", s.discovery());
            n.put("connections", s.connectionCount());
            n.put("errorRecoveryLevel", s.parameters().errorRecoveryLevel());
        }
        return ok(200, a);
    }

    // ---- answers ----

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
