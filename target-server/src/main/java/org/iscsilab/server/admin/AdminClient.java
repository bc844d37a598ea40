package org.iscsilab.server.admin;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A client of a running target's admin API (HOST:PORT), one request and response at a time with
 * the JDK's HTTP client; errors carry the API's own message.
 */
public final class AdminClient {
    public static final int DEFAULT_PORT = 9260;
    public static final String DEFAULT_ADDRESS = "127.0.0.1:" + DEFAULT_PORT;

    /** A failed request: the API's message, ready to print. */
    public static final class AdminException extends IllegalArgumentException {
        public AdminException(String message) {
            super(message);
        }
    }

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public AdminClient(String address) {
        this.base = "http://" + address + "/api/v1/";
    }

    /** Sends the request; returns the body, or throws with the API's error message. */
    public String call(String method, String path, Map<String, String> query, String jsonBody) throws IOException {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        query.forEach((k, v) -> q.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path + q)).timeout(Duration.ofSeconds(30));
        HttpRequest.BodyPublisher body = jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(jsonBody);
        b.method(method, body).header("Content-Type", "application/json");
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new AdminException("no admin API at " + base + " (is `iscsilab target` running? see --admin)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (r.statusCode() >= 400) {
            throw new AdminException(errorMessage(r.body(), r.statusCode()));
        }
        return r.body();
    }

    private static String errorMessage(String body, int status) {
        int at = body.indexOf("\"error\"");
        if (at >= 0) {
            try {
                return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).get("error").asText();
            } catch (IOException e) {
                // fall through to the raw body
            }
        }
        return "HTTP " + status + ": " + body.strip();
    }

    /** A JSON object with one string field, escaped properly. */
    public static String jsonField(String name, Object value) {
        com.fasterxml.jackson.databind.node.ObjectNode n = new com.fasterxml.jackson.databind.ObjectMapper()
                .createObjectNode();
        if (value instanceof Boolean bool) {
            n.put(name, bool);
        } else if (value instanceof Integer i) {
            n.put(name, i);
        } else {
            n.put(name, String.valueOf(value));
        }
        return n.toString();
    }
}
