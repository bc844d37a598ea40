package org.iscsilab.server.admin;

import java.util.List;

/**
 * One operation of the admin API: its method and path, what it does, the query parameters and JSON
 * body fields it accepts. {@link Endpoints#ALL} is the API's one table: routing, the index at
 * {@code GET /api/v1/}, the refusal of unknown fields and the tests all read it.
 *
 * @param path the path, with {@code {id}} or {@code {lun}} for the one variable segment
 */
public record Endpoint(
        String method, String path, String description, List<String> query, List<Field> body) {

    /** A JSON body field: its name, its JSON type and whether the request needs it. */
    public record Field(String name, Type type, boolean required, String description) {}

    /** The JSON types the API's bodies use. */
    public enum Type {
        STRING,
        INTEGER,
        BOOLEAN,
        /** A size: a string with a binary suffix ("2G") or an integer number of bytes. */
        SIZE
    }

    public Endpoint {
        query = List.copyOf(query);
        body = List.copyOf(body);
    }

    /** The body field of this name, or null. */
    public Field field(String name) {
        return body.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
    }

    /** "GET /api/v1/events". */
    @Override
    public String toString() {
        return method + " " + path;
    }
}
