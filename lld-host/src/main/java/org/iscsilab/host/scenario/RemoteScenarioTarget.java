package org.iscsilab.host.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.iscsilab.core.fault.EventLog;

/**
 * A running iscsilab target reached over the network: logins go to its portal, fault rules and
 * the event log through its admin HTTP API. The scenario uses its LUN 0.
 */
final class RemoteScenarioTarget implements ScenarioTarget {
    private final InetSocketAddress portal;
    private final String iqn;
    private final URI api;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    /** {@code url} is iscsi://HOST[:PORT]/IQN[/LUN]; {@code admin} is HOST:PORT of the admin API. */
    RemoteScenarioTarget(String url, String admin) {
        URI u = URI.create(url);
        if (!"iscsi".equals(u.getScheme()) || u.getHost() == null || u.getPath().length() < 2) {
            throw new IllegalArgumentException("--target must look like iscsi://HOST:PORT/IQN, not " + url);
        }
        this.portal = new InetSocketAddress(u.getHost(), u.getPort() < 0 ? 3260 : u.getPort());
        String path = u.getPath().substring(1);
        this.iqn = path.contains("/") ? path.substring(0, path.indexOf('/')) : path;
        this.api = URI.create("http://" + admin + "/api/v1/");
    }

    private JsonNode call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.resolve(path));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 400) {
            throw new IllegalStateException("admin API " + method + " " + path + ": " + r.body().strip());
        }
        return r.body().isEmpty() ? null : json.readTree(r.body());
    }

    @Override
    public InetSocketAddress portal() {
        return portal;
    }

    @Override
    public String iqn() {
        return iqn;
    }

    @Override
    public int addFault(String rule) throws Exception {
        return call("POST", "faults", json.createObjectNode().put("rule", rule).toString()).get("id").asInt();
    }

    @Override
    public void removeFault(int id) throws Exception {
        call("DELETE", "faults/" + id, null);
    }


    @Override
    public long eventsRecorded() throws Exception {
        return call("GET", "events?limit=0", null).get("recorded").asLong();
    }

    @Override
    public List<EventLog.Event> eventsAfter(long sequence) throws Exception {
        JsonNode r = call("GET", "events?since=" + sequence + "&limit=100000", null);
        List<EventLog.Event> out = new ArrayList<>();
        for (JsonNode e : r.get("events")) {
            out.add(new EventLog.Event(e.get("sequence").asLong(), Instant.parse(e.get("time").asText()).toEpochMilli(),
                    EventLog.Type.valueOf(e.get("type").asText()), text(e, "initiator"), e.path("tsih").asInt(-1),
                    e.path("lun").asInt(-1), e.has("opcode") ? Integer.decode(e.get("opcode").asText()) : -1,
                    e.path("lba").asLong(-1), e.path("blocks").asLong(0), text(e, "status"), text(e, "detail")));
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        return n.has(field) ? n.get(field).asText() : null;
    }

    @Override
    public void close() {
        // the remote target keeps running
    }
}
