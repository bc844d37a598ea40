package org.iscsilab.server.admin;

import static org.iscsilab.server.admin.Endpoint.Type.BOOLEAN;
import static org.iscsilab.server.admin.Endpoint.Type.INTEGER;
import static org.iscsilab.server.admin.Endpoint.Type.SIZE;
import static org.iscsilab.server.admin.Endpoint.Type.STRING;

import java.util.List;
import java.util.stream.Collectors;
import org.iscsilab.server.admin.Endpoint.Field;

/** Every operation of the admin API, in the order {@code GET /api/v1/} lists them. */
public final class Endpoints {
    public static final String BASE = "/api/v1/";
    private static final List<String> TARGET = List.of("target");

    public static final List<Endpoint> ALL =
            List.of(
                    new Endpoint("GET", BASE, "this list of operations", List.of(), List.of()),
                    new Endpoint(
                            "GET",
                            BASE + "faults",
                            "the fault rules, with how often each matched and fired",
                            List.of(),
                            List.of()),
                    new Endpoint(
                            "POST",
                            BASE + "faults",
                            "add a fault rule",
                            List.of(),
                            List.of(
                                    new Field(
                                            "rule",
                                            STRING,
                                            true,
                                            "the rule, e.g. medium-error,lun=0,lba=100-199"))),
                    new Endpoint(
                            "DELETE",
                            BASE + "faults",
                            "remove every fault rule",
                            List.of(),
                            List.of()),
                    new Endpoint(
                            "DELETE",
                            BASE + "faults/{id}",
                            "remove one fault rule",
                            List.of(),
                            List.of()),
                    new Endpoint(
                            "GET",
                            BASE + "events",
                            "the event log, newest last: logins, logouts, commands, task management, faults",
                            List.of("type", "lun", "opcode", "initiator", "since", "limit"),
                            List.of()),
                    new Endpoint("GET", BASE + "luns", "the LUNs of the target", TARGET, List.of()),
                    new Endpoint("GET", BASE + "luns/{lun}", "one LUN", TARGET, List.of()),
                    new Endpoint(
                            "POST",
                            BASE + "luns",
                            "add a LUN (the other LUNs report REPORTED LUNS DATA HAS CHANGED)",
                            TARGET,
                            List.of(
                                    new Field("spec", STRING, true, "a LUN spec, e.g. ram:1G,thin"),
                                    new Field(
                                            "lun",
                                            INTEGER,
                                            false,
                                            "its number, 0 to 16383 (default: the lowest free one)"))),
                    new Endpoint(
                            "PATCH",
                            BASE + "luns/{lun}",
                            "change a LUN: all given changes are applied, or none",
                            TARGET,
                            List.of(
                                    new Field(
                                            "size",
                                            SIZE,
                                            false,
                                            "the new capacity, e.g. \"2G\" (CAPACITY DATA HAS CHANGED)"),
                                    new Field(
                                            "readOnly",
                                            BOOLEAN,
                                            false,
                                            "write-protect the LUN or lift that (MODE PARAMETERS CHANGED)"),
                                    new Field(
                                            "medium",
                                            STRING,
                                            false,
                                            "\"eject\" or \"load\" the medium of a removable LUN"))),
                    new Endpoint(
                            "DELETE",
                            BASE + "luns/{lun}",
                            "remove a LUN (the others report REPORTED LUNS DATA HAS CHANGED)",
                            TARGET,
                            List.of()),
                    new Endpoint(
                            "POST",
                            BASE + "luns/{lun}/reset",
                            "return a LUN to the content and size it was made with: a RAM LUN"
                                    + " reads as zeros, an overlay as the file under it",
                            TARGET,
                            List.of()),
                    new Endpoint(
                            "POST",
                            BASE + "luns/{lun}/snapshots",
                            "copy a RAM or overlay LUN's content now, to restore later",
                            TARGET,
                            List.of()),
                    new Endpoint(
                            "GET",
                            BASE + "snapshots",
                            "the snapshots taken, with their LUNs and sizes",
                            List.of(),
                            List.of()),
                    new Endpoint(
                            "POST",
                            BASE + "snapshots/{id}/restore",
                            "put a LUN's content back as the snapshot found it (a size that"
                                    + " differs is CAPACITY DATA HAS CHANGED)",
                            List.of(),
                            List.of()),
                    new Endpoint(
                            "DELETE",
                            BASE + "snapshots/{id}",
                            "drop a snapshot and the memory it holds",
                            List.of(),
                            List.of()),
                    new Endpoint(
                            "GET",
                            BASE + "alua",
                            "the target's ALUA: mode, implicit transition time, target port groups"
                                    + " with their ports and access states",
                            TARGET,
                            List.of()),
                    new Endpoint(
                            "PATCH",
                            BASE + "alua/groups/{group}",
                            "change a target port group's access state (every I_T nexus gets"
                                    + " ASYMMETRIC ACCESS STATE CHANGED) or its preferred bit",
                            TARGET,
                            List.of(
                                    new Field(
                                            "state",
                                            STRING,
                                            false,
                                            "active-optimized, active-non-optimized, standby,"
                                                    + " unavailable, offline or transitioning"),
                                    new Field(
                                            "transition",
                                            STRING,
                                            false,
                                            "with state: transitioning this long first, e.g."
                                                    + " \"5s\""),
                                    new Field(
                                            "fails",
                                            BOOLEAN,
                                            false,
                                            "with transition: it fails and the group returns to"
                                                    + " its state (IMPLICIT ... TRANSITION FAILED)"),
                                    new Field(
                                            "preferred",
                                            BOOLEAN,
                                            false,
                                            "the group's PREF bit in REPORT TARGET PORT GROUPS"))),
                    new Endpoint(
                            "GET",
                            BASE + "sessions",
                            "the sessions logged in",
                            List.of(),
                            List.of()),
                    new Endpoint(
                            "GET",
                            "/metrics",
                            "Prometheus metrics (text format)",
                            List.of(),
                            List.of()));

    private Endpoints() {}

    /** The operations on a path, e.g. the GET and POST of /api/v1/faults. */
    public static List<Endpoint> on(String pathPattern) {
        return ALL.stream().filter(e -> e.path().equals(pathPattern)).toList();
    }

    /** One operation, or null. */
    public static Endpoint find(String method, String pathPattern) {
        return on(pathPattern).stream()
                .filter(e -> e.method().equals(method))
                .findFirst()
                .orElse(null);
    }

    /** "GET, POST or DELETE". */
    static String methodsOn(String pathPattern) {
        List<String> methods = on(pathPattern).stream().map(Endpoint::method).toList();
        if (methods.size() == 1) {
            return methods.get(0);
        }
        return String.join(", ", methods.subList(0, methods.size() - 1))
                + " or "
                + methods.get(methods.size() - 1);
    }

    /** The paths, for a 404's message. */
    static String paths() {
        return ALL.stream().map(Endpoint::path).distinct().collect(Collectors.joining(", "));
    }
}
