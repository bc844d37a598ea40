package org.iscsilab.server.admin;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A refused admin request changes nothing and says what was wrong in one line. The cases are
 * generated from the API's own table ({@link Endpoints#ALL}): a body field or query parameter added
 * there without a bad value here fails {@link #everyFieldAndParameterHasABadValue}.
 */
class AdminApiRefusalsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Bad values (JSON for body fields, text for query parameters) per field or parameter. */
    static final Map<String, List<String>> BAD_BODY = new LinkedHashMap<>();

    static final Map<String, List<String>> BAD_QUERY = new LinkedHashMap<>();

    /** A valid body per endpoint that takes one, mutated one field at a time. */
    static final Map<String, String> VALID_BODY = new LinkedHashMap<>();

    static {
        BAD_BODY.put(
                "rule",
                List.of(
                        "\"\"",
                        "\"bogus-action\"",
                        "42",
                        "\"medium-error,lba=10-\"",
                        "\"busy,every=0\""));
        BAD_BODY.put(
                "spec",
                List.of(
                        "\"ram:0\"",
                        "\"ram:1000\"",
                        "\"disk:1G\"",
                        "\"file:/nonexistent-dir/x.img:1G\"",
                        "true"));
        BAD_BODY.put("lun", List.of("-1", "16384", "\"1\"", "1.5", "0"));
        BAD_BODY.put("size", List.of("\"3X\"", "\"0\"", "-4096", "\"1000\"", "false"));
        BAD_BODY.put("readOnly", List.of("\"maybe\"", "1", "\"true\""));
        BAD_BODY.put("medium", List.of("\"bogus\"", "7", "\"\""));
        BAD_BODY.put("state", List.of("\"sleepy\"", "3", "\"\""));
        BAD_BODY.put("transition", List.of("\"5x\"", "\"0s\"", "5"));
        BAD_BODY.put("fails", List.of("\"yes\"", "1"));
        BAD_BODY.put("preferred", List.of("\"maybe\"", "0"));
        BAD_QUERY.put("type", List.of("FAUL", ""));
        BAD_QUERY.put("lun", List.of("-1", "x", "16384"));
        BAD_QUERY.put("opcode", List.of("256", "0x1FF", "op"));
        BAD_QUERY.put("initiator", List.of());
        BAD_QUERY.put("since", List.of("-1", "never"));
        BAD_QUERY.put("limit", List.of("-1", "many"));
        BAD_QUERY.put("target", List.of("iqn.2026-01.org.example:nobody", ""));
        VALID_BODY.put("POST /api/v1/faults", "{\"rule\":\"medium-error,lun=0,lba=100-199\"}");
        VALID_BODY.put("POST /api/v1/luns", "{\"spec\":\"ram:4M\",\"lun\":7}");
        VALID_BODY.put(
                "PATCH /api/v1/alua/groups/{group}",
                "{\"state\":\"standby\",\"transition\":\"1s\",\"fails\":false,"
                        + "\"preferred\":true}");
        VALID_BODY.put(
                "PATCH /api/v1/luns/{lun}",
                "{\"size\":\"32M\",\"readOnly\":true,\"medium\":\"eject\"}");
    }

    private EmbeddedTarget target;
    private AdminApi api;

    @BeforeEach
    void start() throws Exception {
        target = EmbeddedTarget.start("ram:16M");
        api = target.adminApi();
        assertEquals(201, call("POST", "luns", "{\"spec\":\"ram:8M,removable\"}").status());
        assertEquals(201, call("POST", "faults", "{\"rule\":\"busy,lun=1,every=3\"}").status());
    }

    @AfterEach
    void stop() {
        target.close();
    }

    private AdminApi.Response call(String method, String path, String body) {
        return call(method, path, Map.of(), body);
    }

    private AdminApi.Response call(
            String method, String path, Map<String, List<String>> query, String body) {
        return api.handle(method, path.startsWith("/") ? path : Endpoints.BASE + path, query, body);
    }

    /** What the API manages: LUNs and their settings, fault rules, sessions. */
    private String state() {
        return call("GET", "luns", null).body()
                + call("GET", "alua", null).body()
                + call("GET", "faults", null).body()
                + call("GET", "sessions", null).body()
                + call("GET", "snapshots", null).body();
    }

    /** A 4xx with one line that names {@code names} and no class name, and no change. */
    private void assertRefused(String before, AdminApi.Response r, String names) throws Exception {
        assertTrue(r.status() >= 400 && r.status() < 500, r.status() + " " + r.body());
        String message = JSON.readTree(r.body()).get("error").asText();
        assertAll(
                () -> assertFalse(message.isBlank(), "an empty message"),
                () -> assertFalse(message.contains("\n"), "more than one line: " + message),
                () -> assertFalse(message.contains("Exception"), "an exception name: " + message),
                () ->
                        assertTrue(
                                message.toLowerCase(Locale.ROOT)
                                        .contains(names.toLowerCase(Locale.ROOT)),
                                "'" + message + "' does not name " + names),
                () -> assertEquals(before, state(), "a refused request changed the state"));
    }

    @Test
    void everyFieldAndParameterHasABadValue() {
        List<String> missing = new ArrayList<>();
        for (Endpoint e : Endpoints.ALL) {
            e.body().stream()
                    .filter(f -> !BAD_BODY.containsKey(f.name()))
                    .forEach(f -> missing.add(e + " field " + f.name()));
            e.query().stream()
                    .filter(q -> !BAD_QUERY.containsKey(q))
                    .forEach(q -> missing.add(e + " ?" + q));
            if (!e.body().isEmpty() && !VALID_BODY.containsKey(e.toString())) {
                missing.add(e + " has no valid body to mutate");
            }
        }
        assertTrue(missing.isEmpty(), "no bad-value case for: " + missing);
    }

    @TestFactory
    Stream<DynamicTest> aBadFieldRefusesTheWholeRequest() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Endpoint e : Endpoints.ALL) {
            for (Endpoint.Field f : e.body()) {
                for (String value : BAD_BODY.get(f.name())) {
                    tests.add(
                            DynamicTest.dynamicTest(
                                    e + " " + f.name() + "=" + value,
                                    () -> {
                                        ObjectNode body =
                                                (ObjectNode)
                                                        JSON.readTree(VALID_BODY.get(e.toString()));
                                        body.set(f.name(), JSON.readTree(value));
                                        String before = state();
                                        AdminApi.Response r =
                                                call(
                                                        e.method(),
                                                        path(e),
                                                        Map.of(),
                                                        body.toString());
                                        assertRefused(
                                                before,
                                                r,
                                                f.name().equals("spec") || f.name().equals("rule")
                                                        ? JSON.readTree(value).asText().isEmpty()
                                                                ? f.name()
                                                                : JSON.readTree(value).asText()
                                                        : f.name());
                                    }));
                }
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> aBadQueryParameterIsRefused() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Endpoint e : Endpoints.ALL) {
            for (String q : e.query()) {
                for (String value : BAD_QUERY.get(q)) {
                    tests.add(
                            DynamicTest.dynamicTest(
                                    e + " ?" + q + "=" + value,
                                    () -> {
                                        String before = state();
                                        String body = VALID_BODY.get(e.toString());
                                        AdminApi.Response r =
                                                call(
                                                        e.method(),
                                                        path(e),
                                                        Map.of(q, List.of(value)),
                                                        body);
                                        assertRefused(
                                                before,
                                                r,
                                                value.isEmpty()
                                                        ? q
                                                        : value.startsWith("iqn") ? value : q);
                                    }));
                }
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> anUnknownFieldOrParameterIsRefusedNamingTheKnownOnes() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Endpoint e : Endpoints.ALL) {
            tests.add(
                    DynamicTest.dynamicTest(
                            e + " ?bogus=1",
                            () -> {
                                String before = state();
                                assertRefused(
                                        before,
                                        call(
                                                e.method(),
                                                path(e),
                                                Map.of("bogus", List.of("1")),
                                                VALID_BODY.get(e.toString())),
                                        "'bogus'");
                            }));
            if (!e.body().isEmpty()) {
                tests.add(
                        DynamicTest.dynamicTest(
                                e + " {bogus}",
                                () -> {
                                    ObjectNode body =
                                            (ObjectNode)
                                                    JSON.readTree(VALID_BODY.get(e.toString()));
                                    body.put("bogus", 1);
                                    String before = state();
                                    AdminApi.Response r =
                                            call(e.method(), path(e), Map.of(), body.toString());
                                    assertRefused(
                                            before,
                                            r,
                                            "known fields: " + RequestBody.fieldNames(e));
                                }));
            }
        }
        return tests.stream();
    }

    private static String path(Endpoint e) {
        return e.path().replace("{lun}", "1").replace("{id}", "1").replace("{group}", "1");
    }

    // ---- the cases found by trying the API as a user would ----

    @Test
    void aResizeWithABadReadOnlyIsRefusedAndTheLunKeepsItsSize() throws Exception {
        String before = state();
        assertRefused(
                before,
                call("PATCH", "luns/0", "{\"size\":\"3G\",\"readOnly\":\"maybe\"}"),
                "readOnly");
        assertEquals(16 << 20, lun(0).get("bytes").asLong());
    }

    @Test
    void aResizeWithABadMediumIsRefusedAndTheLunKeepsItsSize() throws Exception {
        String before = state();
        assertRefused(
                before,
                call("PATCH", "luns/0", "{\"size\":\"4G\",\"medium\":\"bogus\"}"),
                "medium");
        AdminApi.Response r = call("PATCH", "luns/0", "{\"size\":\"4G\",\"medium\":\"eject\"}");
        assertEquals(409, r.status(), "LUN 0 is not removable");
        assertRefused(before, r, "not removable");
        assertEquals(16 << 20, lun(0).get("bytes").asLong());
    }

    @Test
    void anUnknownFieldBesideAGoodRuleAddsNoRule() throws Exception {
        String before = state();
        assertRefused(before, call("POST", "faults", "{\"rule\":\"busy\",\"every\":3}"), "'every'");
    }

    @Test
    void aMisspeltPatchFieldIsRefused() throws Exception {
        String before = state();
        assertRefused(before, call("PATCH", "luns/0", "{\"sise\":\"2G\"}"), "'sise'");
    }

    @Test
    void aMisspeltQueryParameterIsRefusedInsteadOfReturningEverything() throws Exception {
        String before = state();
        assertRefused(
                before, call("GET", "events", Map.of("typ", List.of("FAULT")), null), "'typ'");
    }

    @Test
    void aNegativeEventLimitNamesTheLimit() throws Exception {
        String before = state();
        assertRefused(
                before, call("GET", "events", Map.of("limit", List.of("-1")), null), "limit=-1");
    }

    @Test
    void aFileLunInAMissingDirectoryIsABadRequestNamingTheDirectory() throws Exception {
        String before = state();
        AdminApi.Response r = call("POST", "luns", "{\"spec\":\"file:/nonexistent/x.img:1G\"}");
        assertEquals(400, r.status(), r.body());
        assertRefused(before, r, "directory /nonexistent does not exist");
        assertFalse(Files.exists(Path.of("/nonexistent/x.img")));
    }

    @Test
    void aPlainFileLunCannotBeResetOrCopiedAndSaysWhatCan(@TempDir Path dir) throws Exception {
        String spec = "file:" + dir.resolve("plain.img") + ":1M";
        assertEquals(201, call("POST", "luns", "{\"spec\":\"" + spec + "\",\"lun\":5}").status());
        String before = state();
        AdminApi.Response reset = call("POST", "luns/5/reset", null);
        assertEquals(409, reset.status(), reset.body());
        assertRefused(before, reset, "file:PATH,overlay");
        AdminApi.Response copy = call("POST", "luns/5/snapshots", null);
        assertEquals(409, copy.status(), copy.body());
        assertRefused(before, copy, "file:PATH,overlay");
    }

    @Test
    void anUnknownSnapshotIsNotFoundNamingWhereTheyAreListed() throws Exception {
        String before = state();
        AdminApi.Response r = call("POST", "snapshots/42/restore", null);
        assertEquals(404, r.status(), r.body());
        assertRefused(before, r, "GET /api/v1/snapshots");
        assertRefused(before, call("POST", "snapshots/x/restore", null), "snapshot id");
    }

    @Test
    void theBaseUrlTheTargetPrintsListsEveryOperation() throws Exception {
        AdminApi.Response r = call("GET", "/api/v1/", null);
        assertEquals(200, r.status(), r.body());
        JsonNode list = JSON.readTree(r.body());
        assertEquals(Endpoints.ALL.size(), list.size());
        assertEquals("PATCH", list.get(9).get("method").asText());
        assertEquals(3, list.get(9).get("body").size(), "size, readOnly, medium");
    }

    @Test
    void aValidPatchAppliesEveryChangeAtOnce() throws Exception {
        AdminApi.Response r = call("PATCH", "luns/1", VALID_BODY.get("PATCH /api/v1/luns/{lun}"));
        assertEquals(200, r.status(), r.body());
        JsonNode lun = lun(1);
        assertEquals(32 << 20, lun.get("bytes").asLong());
        assertTrue(lun.get("readOnly").asBoolean());
        assertFalse(lun.get("mediumPresent").asBoolean());
    }

    private JsonNode lun(int n) throws Exception {
        return JSON.readTree(call("GET", "luns/" + n, null).body());
    }
}
