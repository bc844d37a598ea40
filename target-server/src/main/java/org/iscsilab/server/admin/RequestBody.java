package org.iscsilab.server.admin;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.Locale;
import java.util.stream.Collectors;
import org.iscsilab.core.store.Sizes;
import org.iscsilab.server.admin.Endpoint.Field;

/**
 * A request's JSON body, checked whole against its endpoint before anything is applied: a JSON
 * object, no field the endpoint does not know, every required field there, each of its type.
 */
final class RequestBody {
    private static final ObjectMapper JSON =
            new ObjectMapper()
                    .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** What every "not valid JSON" message starts with (the tests tell parser refusals by it). */
    static final String NOT_JSON = "the body is not valid JSON";

    private final Endpoint endpoint;
    private final JsonNode object;

    private RequestBody(Endpoint endpoint, JsonNode object) {
        this.endpoint = endpoint;
        this.object = object;
    }

    static RequestBody parse(Endpoint endpoint, String text) {
        if (text == null || text.isBlank()) {
            throw ApiException.badRequest(
                    endpoint + " needs a JSON object with " + fieldList(endpoint));
        }
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(NOT_JSON + ": " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw ApiException.badRequest(
                    "the body must be a JSON object with "
                            + fieldList(endpoint)
                            + ", not "
                            + kind(n));
        }
        for (Iterator<String> names = n.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (endpoint.field(name) == null) {
                throw ApiException.badRequest(
                        "unknown field '"
                                + name
                                + "' in "
                                + endpoint
                                + "; known fields: "
                                + fieldNames(endpoint));
            }
        }
        for (Field f : endpoint.body()) {
            JsonNode v = n.get(f.name());
            if (v == null || v.isNull()) {
                if (f.required()) {
                    throw ApiException.badRequest(
                            "missing field '" + f.name() + "': " + f.description());
                }
                continue;
            }
            checkType(f, v);
        }
        return new RequestBody(endpoint, n);
    }

    private static void checkType(Field f, JsonNode v) {
        boolean ok =
                switch (f.type()) {
                    case STRING -> v.isTextual() && !v.asText().isBlank();
                    case INTEGER -> v.isIntegralNumber() && v.canConvertToInt();
                    case BOOLEAN -> v.isBoolean();
                    case SIZE -> v.isTextual() || v.isIntegralNumber() && v.canConvertToLong();
                };
        if (!ok) {
            String want =
                    switch (f.type()) {
                        case STRING -> "a non-empty string";
                        case INTEGER -> "an integer";
                        case BOOLEAN -> "true or false";
                        case SIZE -> "a size such as \"2G\" or a number of bytes";
                    };
            throw ApiException.badRequest(
                    "field '"
                            + f.name()
                            + "' must be "
                            + want
                            + ", not "
                            + v
                            + " ("
                            + f.description()
                            + ")");
        }
    }

    boolean has(String field) {
        JsonNode v = object.get(field);
        return v != null && !v.isNull();
    }

    boolean isEmpty() {
        return endpoint.body().stream().noneMatch(f -> has(f.name()));
    }

    String string(String field) {
        return object.get(field).asText();
    }

    int integer(String field) {
        return object.get(field).asInt();
    }

    boolean bool(String field) {
        return object.get(field).asBoolean();
    }

    /** A SIZE field in bytes. */
    long size(String field) {
        JsonNode v = object.get(field);
        long bytes;
        if (v.isNumber()) {
            bytes = v.asLong();
        } else {
            try {
                bytes = Sizes.parse(v.asText());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("field '" + field + "': " + e.getMessage());
            }
        }
        if (bytes <= 0) {
            throw ApiException.badRequest(
                    "field '" + field + "' must be a positive size, not " + v);
        }
        return bytes;
    }

    private static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        return n.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    static String fieldNames(Endpoint e) {
        return e.body().stream().map(Field::name).collect(Collectors.joining(", "));
    }

    private static String fieldList(Endpoint e) {
        return e.body().stream()
                .map(f -> "\"" + f.name() + "\"" + (f.required() ? "" : " (optional)"))
                .collect(Collectors.joining(", "));
    }
}
