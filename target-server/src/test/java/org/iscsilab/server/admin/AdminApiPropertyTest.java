package org.iscsilab.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.iscsilab.server.EmbeddedTarget;

/**
 * Valid requests with one field or parameter mutated, and fully random bodies, against a live
 * target: never a 500, and never a change of state after a 4xx. Counts how many mutated requests
 * got past the JSON parser to validation, so a generator that only makes broken JSON shows.
 */
class AdminApiPropertyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger REFUSED = new AtomicInteger();
    private static final AtomicInteger REACHED_VALIDATION = new AtomicInteger();
    private static final AtomicInteger APPLIED = new AtomicInteger();

    private EmbeddedTarget target;
    private AdminApi api;

    @BeforeProperty
    void start() throws Exception {
        target = EmbeddedTarget.start("ram:16M");
        api = target.adminApi();
        api.handle("POST", Endpoints.BASE + "luns", Map.of(), "{\"spec\":\"ram:8M,removable\"}");
    }

    @AfterProperty
    void stop() {
        target.close();
    }

    @AfterContainer
    static void report() {
        System.out.printf(
                "admin API property test: %d refused, %d of them past the JSON parser; %d applied%n",
                REFUSED.get(), REACHED_VALIDATION.get(), APPLIED.get());
        assertTrue(
                REACHED_VALIDATION.get() > REFUSED.get() / 2,
                "most mutated requests must reach validation, not stop at the parser");
    }

    /** One request: an endpoint with a body, and the body to send. */
    record Request(Endpoint endpoint, String body, Map<String, List<String>> query) {}

    @Property(tries = 600)
    void aRequestIsEitherAppliedOrRefusedWithoutChange(@ForAll("requests") Request r)
            throws Exception {
        String before = state();
        String path = r.endpoint().path().replace("{lun}", "1").replace("{id}", "1");
        AdminApi.Response response = api.handle(r.endpoint().method(), path, r.query(), r.body());
        assertNotEquals(500, response.status(), r + " -> " + response.body());
        if (response.status() >= 400) {
            assertTrue(response.status() < 500, response.body());
            assertEquals(before, state(), "a refused request changed the state: " + r);
            REFUSED.incrementAndGet();
            String message = JSON.readTree(response.body()).get("error").asText();
            if (!message.startsWith(RequestBody.NOT_JSON)) {
                REACHED_VALIDATION.incrementAndGet();
            }
        } else {
            APPLIED.incrementAndGet();
        }
    }

    private String state() {
        return api.handle("GET", Endpoints.BASE + "luns", Map.of(), null).body()
                + api.handle("GET", Endpoints.BASE + "faults", Map.of(), null).body();
    }

    @Provide
    Arbitrary<Request> requests() {
        List<Endpoint> withBody = Endpoints.ALL.stream().filter(e -> !e.body().isEmpty()).toList();
        Arbitrary<Endpoint> endpoint = Arbitraries.of(withBody);
        return Arbitraries.frequencyOf(
                Tuple.of(6, endpoint.flatMap(AdminApiPropertyTest::mutated)),
                Tuple.of(2, endpoint.flatMap(AdminApiPropertyTest::mutatedQuery)),
                Tuple.of(1, endpoint.flatMap(AdminApiPropertyTest::randomBody)));
    }

    /**
     * The endpoint's valid body with one field replaced by any JSON value, or removed, or added.
     */
    private static Arbitrary<Request> mutated(Endpoint e) {
        ObjectNode valid = validBody(e);
        Arbitrary<String> field =
                Arbitraries.of(
                        e.body().stream()
                                .map(Endpoint.Field::name)
                                .toList()
                                .toArray(String[]::new));
        return Combinators.combine(field, anyJsonValue(), Arbitraries.integers().between(0, 9))
                .as(
                        (name, value, how) -> {
                            ObjectNode body = valid.deepCopy();
                            if (how == 0) {
                                body.remove(name);
                            } else if (how == 1) {
                                body.set(name + "x", value);
                            } else {
                                body.set(name, value);
                            }
                            return new Request(e, body.toString(), Map.of());
                        });
    }

    /**
     * A valid body with a query parameter the endpoint knows set to any text, or one it does not
     * know.
     */
    private static Arbitrary<Request> mutatedQuery(Endpoint e) {
        List<String> names = new ArrayList<>(e.query());
        names.add("bogus");
        return Combinators.combine(Arbitraries.of(names), Arbitraries.strings().ofMaxLength(12))
                .as(
                        (name, value) ->
                                new Request(
                                        e, validBody(e).toString(), Map.of(name, List.of(value))));
    }

    private static Arbitrary<Request> randomBody(Endpoint e) {
        return Arbitraries.strings().ofMaxLength(40).map(s -> new Request(e, s, Map.of()));
    }

    private static Arbitrary<JsonNode> anyJsonValue() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(16).map(f::textNode),
                Arbitraries.of(
                                "ram:1M",
                                "ram:0",
                                "2G",
                                "0",
                                "eject",
                                "load",
                                "busy,every=2",
                                "file:/x:1G")
                        .map(f::textNode),
                Arbitraries.longs().map(f::numberNode),
                Arbitraries.integers().between(-2, 20).map(f::numberNode),
                Arbitraries.doubles().map(f::numberNode),
                Arbitraries.of(true, false).map(f::booleanNode),
                Arbitraries.just(f.nullNode()),
                Arbitraries.just(f.arrayNode()),
                Arbitraries.just(f.objectNode()));
    }

    private static ObjectNode validBody(Endpoint e) {
        try {
            return (ObjectNode) JSON.readTree(AdminApiRefusalsTest.VALID_BODY.get(e.toString()));
        } catch (Exception x) {
            throw new IllegalStateException(x);
        }
    }
}
