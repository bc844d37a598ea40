package org.iscsilab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.iscsilab.core.alua.AccessState;
import org.iscsilab.core.fault.FaultSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code iscsilab alua ...}: the target port groups of a running target and their asymmetric access
 * states (SPC-5 §5.16); each change tells every I_T nexus ASYMMETRIC ACCESS STATE CHANGED.
 */
@Command(
        name = "alua",
        description = "Show the target port groups of a running target, or change their states.",
        subcommands = {AluaCommand.Show.class, AluaCommand.Set.class})
public final class AluaCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    static void printAlua(TargetClientCommand base, JsonNode alua) {
        base.out()
                .println(
                        alua.path("target").asText()
                                + ": ALUA "
                                + alua.path("mode").asText()
                                + ", implicit transition time "
                                + alua.path("implicitTransitionTime").asInt()
                                + " s");
        Table t = new Table("GROUP", "STATE", "PORTAL GROUPS", "PREF", "LAST CHANGE");
        alua.path("groups").forEach(g -> row(t, g));
        t.print(base.out());
        base.out().flush();
    }

    static void row(Table t, JsonNode g) {
        List<String> ports = new ArrayList<>();
        g.path("portals").forEach(p -> ports.add(p.asText()));
        t.row(
                g.path("id").asText(),
                g.path("state").asText(),
                (ports.isEmpty() ? "-" : String.join(",", ports))
                        + (g.path("default").asBoolean() ? " (default)" : ""),
                g.path("preferred").asBoolean() ? "yes" : "no",
                g.path("status").asText());
    }

    @Command(name = "show", description = "The target's ALUA mode and target port groups.")
    static final class Show extends TargetClientCommand implements Callable<Integer> {
        @Option(names = "--json", description = "Print the API's JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            String body = admin.client().call("GET", "alua", query(), null);
            if (json) {
                return printJson(body);
            }
            printAlua(this, JSON.readTree(body));
            return CliErrors.SUCCESS;
        }
    }

    @Command(
            name = "set",
            description =
                    "Change a target port group's access state (at once, or after a transition),"
                            + " or its preferred bit.")
    static final class Set extends TargetClientCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "GROUP", description = "The target port group.")
        int group;

        @Parameters(
                index = "1",
                arity = "0..1",
                paramLabel = "STATE",
                description =
                        "active-optimized, active-non-optimized, standby, unavailable, offline or"
                                + " transitioning.")
        String state;

        @Option(
                names = "--transition",
                paramLabel = "DURATION",
                description = "Be transitioning this long first (e.g. 5s), then reach STATE.")
        String transition;

        @Option(
                names = "--fails",
                description = "With --transition: the transition fails and the group goes back.")
        boolean fails;

        @Option(
                names = "--preferred",
                paramLabel = "true|false",
                arity = "1",
                description = "Set or clear the group's preferred bit (PREF).")
        Boolean preferred;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = JSON.createObjectNode();
            if (group < 0 || group > 0xFFFF) {
                throw new CliErrors.UsageException(
                        "GROUP " + group + ": a target port group is 0 to 65535");
            }
            if (state != null) {
                try {
                    AccessState.parse(state);
                } catch (IllegalArgumentException e) {
                    throw new CliErrors.UsageException("STATE: " + e.getMessage());
                }
                body.put("state", state);
            }
            if (transition != null) {
                try {
                    FaultSpec.duration("--transition", transition);
                } catch (IllegalArgumentException e) {
                    throw new CliErrors.UsageException(
                            "--transition " + transition + ": " + e.getMessage());
                }
                if (state == null) {
                    throw new CliErrors.UsageException("--transition needs a STATE to reach");
                }
                body.put("transition", transition);
            }
            if (fails) {
                if (transition == null) {
                    throw new CliErrors.UsageException("--fails needs --transition");
                }
                body.put("fails", true);
            }
            if (preferred != null) {
                body.put("preferred", preferred);
            }
            if (body.isEmpty()) {
                throw new CliErrors.UsageException("give a STATE or --preferred");
            }
            JsonNode g =
                    JSON.readTree(
                            admin.client()
                                    .call(
                                            "PATCH",
                                            "alua/groups/" + group,
                                            query(),
                                            body.toString()));
            Table t = new Table("GROUP", "STATE", "PORTAL GROUPS", "PREF", "LAST CHANGE");
            row(t, g);
            t.print(out());
            out().flush();
            return CliErrors.SUCCESS;
        }
    }
}
