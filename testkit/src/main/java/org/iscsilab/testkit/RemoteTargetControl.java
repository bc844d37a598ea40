package org.iscsilab.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iscsilab.server.admin.AdminClient;

/** {@link TargetControl} over a target's admin API, with the project's one admin client. */
final class RemoteTargetControl implements TargetControl {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AdminClient client;

    RemoteTargetControl(String adminAddress) {
        this.client = new AdminClient(adminAddress);
    }

    /** One request; the API's refusal comes back as its message, I/O trouble unchecked. */
    private JsonNode call(String method, String path, String body) {
        try {
            String answer = client.call(method, path, Map.of(), body);
            return answer.isBlank() ? JSON.createObjectNode() : JSON.readTree(answer);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public FaultHandle add(Fault fault) {
        int id =
                call("POST", "faults", AdminClient.jsonField("rule", fault.spec()))
                        .path("id")
                        .asInt();
        return new FaultHandle(
                id,
                () -> rule(id).path("matched").asLong(),
                () -> rule(id).path("fired").asLong(),
                () -> {
                    if (rule(id).isMissingNode()) {
                        return false;
                    }
                    call("DELETE", "faults/" + id, null);
                    return true;
                });
    }

    private JsonNode rule(int id) {
        for (JsonNode r : call("GET", "faults", null)) {
            if (r.path("id").asInt() == id) {
                return r;
            }
        }
        return JSON.missingNode();
    }

    @Override
    public void clearFaults() {
        call("DELETE", "faults", null);
    }

    @Override
    public EventQuery<TargetEvent> events() {
        return EventQuery.over(
                () -> {
                    try {
                        return client.events(Map.of("limit", Integer.toString(Integer.MAX_VALUE)))
                                .events();
                    } catch (IOException e) {
                        throw new UncheckedIOException("GET events: " + e.getMessage(), e);
                    }
                });
    }

    @Override
    public List<Integer> luns() {
        List<Integer> out = new ArrayList<>();
        call("GET", "luns", null).forEach(l -> out.add(l.path("lun").asInt()));
        return out;
    }

    @Override
    public List<Session> sessions() {
        List<Session> out = new ArrayList<>();
        for (JsonNode s : call("GET", "sessions", null)) {
            out.add(
                    new Session(
                            s.path("tsih").asInt(),
                            s.path("initiator").asText(),
                            s.path("isid").asText(),
                            s.hasNonNull("target") ? s.path("target").asText() : null,
                            s.path("portal").asText(),
                            s.path("discovery").asBoolean()));
        }
        return out;
    }

    @Override
    public int addLun(String spec) {
        return call("POST", "luns", AdminClient.jsonField("spec", spec)).path("lun").asInt();
    }

    @Override
    public void removeLun(int lun) {
        call("DELETE", "luns/" + lun, null);
    }

    @Override
    public void resizeLun(int lun, long bytes) {
        call("PATCH", "luns/" + lun, JSON.createObjectNode().put("size", bytes).toString());
    }

    @Override
    public void setReadOnly(int lun, boolean readOnly) {
        call("PATCH", "luns/" + lun, AdminClient.jsonField("readOnly", readOnly));
    }

    @Override
    public void setMediumLoaded(int lun, boolean loaded) {
        call("PATCH", "luns/" + lun, AdminClient.jsonField("medium", loaded ? "load" : "eject"));
    }

    @Override
    public void reset(int lun) {
        call("POST", "luns/" + lun + "/reset", null);
    }

    @Override
    public void resetAll() {
        for (JsonNode lun : call("GET", "luns", null)) {
            if (lun.path("resettable").asBoolean()) {
                reset(lun.path("lun").asInt());
            }
        }
    }

    @Override
    public DiskSnapshot snapshot(int lun) {
        JsonNode s = call("POST", "luns/" + lun + "/snapshots", null);
        return new DiskSnapshot(s.path("id").asInt(), s.path("lun").asInt());
    }

    @Override
    public void restore(DiskSnapshot snapshot) {
        call("POST", "snapshots/" + snapshot.id() + "/restore", null);
    }

    @Override
    public void drop(DiskSnapshot snapshot) {
        call("DELETE", "snapshots/" + snapshot.id(), null);
    }

    @Override
    public void setAccessState(int group, String state) {
        call("PATCH", "alua/groups/" + group, AdminClient.jsonField("state", state));
    }

    @Override
    public void transitionAccessState(int group, String state, Duration transition, boolean fails) {
        call(
                "PATCH",
                "alua/groups/" + group,
                AdminClient.accessStateBody(state, transition, fails));
    }
}
