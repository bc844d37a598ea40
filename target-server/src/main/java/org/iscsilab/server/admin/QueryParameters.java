package org.iscsilab.server.admin;

import java.util.List;
import java.util.Map;

/** A request's query parameters, checked against its endpoint: only known ones, each once. */
final class QueryParameters {
    private final Map<String, List<String>> values;

    private QueryParameters(Map<String, List<String>> values) {
        this.values = values;
    }

    static QueryParameters check(Endpoint endpoint, Map<String, List<String>> query) {
        for (Map.Entry<String, List<String>> p : query.entrySet()) {
            if (!endpoint.query().contains(p.getKey())) {
                throw ApiException.badRequest(
                        "unknown query parameter '"
                                + p.getKey()
                                + "' for "
                                + endpoint
                                + (endpoint.query().isEmpty()
                                        ? ", which takes none"
                                        : "; known: " + String.join(", ", endpoint.query())));
            }
            if (p.getValue().size() > 1) {
                throw ApiException.badRequest(
                        "query parameter '"
                                + p.getKey()
                                + "' is given "
                                + p.getValue().size()
                                + " times; give it once");
            }
        }
        return new QueryParameters(query);
    }

    /** The parameter's value, or null when it is not given. */
    String text(String name) {
        List<String> v = values.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /**
     * A number (decimal, or hex with 0x) from {@code min} to {@code max}, or null when not given.
     */
    Long number(String name, long min, long max) {
        String text = text(name);
        return text == null ? null : number(name, text, min, max);
    }

    static long number(String what, String text, long min, long max) {
        long n;
        try {
            n = Long.decode(text.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(
                    what + "=" + text + ": write a number from " + min + " to " + max);
        }
        if (n < min || n > max) {
            throw ApiException.badRequest(
                    what + "=" + text + ": write a number from " + min + " to " + max);
        }
        return n;
    }
}
