package org.iscsilab.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.iscsilab.core.fault.EventLog;

/**
 * A client of a running target's admin API (HOST:PORT), one request and response at a time with the
 * JDK's HTTP client; errors carry the API's own message.
 */
public final class AdminClient {
    public static final int DEFAULT_PORT = AdminAddress.DEFAULT_PORT;
    public static final String DEFAULT_ADDRESS = AdminAddress.DEFAULT.toString();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A failed request: the API's message, ready to print, and its HTTP status (0: no answer). */
    public static final class AdminException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        private final int status;

        public AdminException(int status, String message) {
            super(message);
            this.status = status;
        }

        /** The HTTP status of the refusal, or 0 when the API did not answer. */
        public int status() {
            return status;
        }
    }

    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * A client of the API at HOST, HOST:PORT or the URL the target prints (see {@link
     * AdminAddress}).
     */
    public AdminClient(String address) {
        this(AdminAddress.parse(address));
    }

    public AdminClient(AdminAddress address) {
        this.base = address.baseUrl();
    }

    /** Sends the request; returns the body, or throws with the API's error message. */
    public String call(String method, String path, Map<String, String> query, String jsonBody)
            throws IOException {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        query.forEach((k, v) -> q.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path + q)).timeout(Duration.ofSeconds(30));
        HttpRequest.BodyPublisher body =
                jsonBody == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(jsonBody);
        b.method(method, body).header("Content-Type", "application/json");
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new AdminException(
                    0,
                    "no admin API at "
                            + base
                            + " (is `iscsilab target` running? give its address with --admin or "
                            + AdminAddress.ENVIRONMENT
                            + ")");
        } catch (IOException e) {
            throw new AdminException(
                    0,
                    "no answer from the admin API at "
                            + base
                            + ": "
                            + (e.getMessage() == null ? "the connection failed" : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (r.statusCode() >= 400) {
            throw new AdminException(r.statusCode(), errorMessage(r.body(), r.statusCode()));
        }
        return r.body();
    }

    private static String errorMessage(String body, int status) {
        int at = body.indexOf("\"error\"");
        if (at >= 0) {
            try {
                return JSON.readTree(body).get("error").asText();
            } catch (IOException e) {
                // fall through to the raw body
            }
        }
        return "HTTP " + status + ": " + body.strip();
    }

    /** A JSON object with one string field, escaped properly. */
    public static String jsonField(String name, Object value) {
        ObjectNode n = JSON.createObjectNode();
        if (value instanceof Boolean bool) {
            n.put(name, bool);
        } else if (value instanceof Integer i) {
            n.put(name, i);
        } else {
            n.put(name, String.valueOf(value));
        }
        return n.toString();
    }

    /**
     * The body of PATCH /alua/groups/{group}: a new access state, reached at once or, with a
     * transition time, after that long in the transitioning state (and then, with {@code fails},
     * not reached: the transition fails, SPC-5 §5.16.2.5).
     */
    public static String accessStateBody(String state, Duration transition, boolean fails) {
        ObjectNode n = JSON.createObjectNode();
        n.put("state", state);
        if (transition != null) {
            n.put("transition", transition.toMillis() + "ms");
            n.put("fails", fails);
        }
        return n.toString();
    }

    /** Changes the access state of a target port group (see {@link #accessStateBody}). */
    public void setAccessState(int group, String state, Duration transition, boolean fails)
            throws IOException {
        call("PATCH", "alua/groups/" + group, Map.of(), accessStateBody(state, transition, fails));
    }

    /** The events a GET /events query answers. */
    public record Events(long recorded, int capacity, int matching, List<EventLog.Event> events) {}

    /**
     * The event log, filtered by the API's query parameters (type, lun, opcode, initiator, since,
     * limit).
     */
    public Events events(Map<String, String> query) throws IOException {
        JsonNode r = JSON.readTree(call("GET", "events", query, null));
        List<EventLog.Event> events = new ArrayList<>();
        for (JsonNode e : r.get("events")) {
            events.add(EventJson.decode(e));
        }
        return new Events(
                r.get("recorded").asLong(),
                r.get("capacity").asInt(),
                r.get("matching").asInt(),
                List.copyOf(events));
    }

    /** Adds a fault rule; returns its id. */
    public int addFault(String rule) throws IOException {
        return JSON.readTree(call("POST", "faults", Map.of(), jsonField("rule", rule)))
                .get("id")
                .asInt();
    }

    public void removeFault(int id) throws IOException {
        call("DELETE", "faults/" + id, Map.of(), null);
    }
}
