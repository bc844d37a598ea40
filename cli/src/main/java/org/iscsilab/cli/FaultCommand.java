package org.iscsilab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.iscsilab.server.admin.AdminClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code iscsilab fault add|list|remove|clear}: fault rules of a running target, through its admin
 * API.
 */
@Command(
        name = "fault",
        description =
                "Add, list and remove fault rules of a running target (rule syntax: docs/faults-and-admin.md).",
        subcommands = {
            FaultCommand.Add.class,
            FaultCommand.ListRules.class,
            FaultCommand.Remove.class,
            FaultCommand.Clear.class
        })
public final class FaultCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Command(name = "add", description = "Add a rule, e.g. medium-error,lun=0,lba=100-199")
    static final class Add implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOption admin;

        @Parameters(paramLabel = "RULE")
        String rule;

        @Override
        public Integer call() throws Exception {
            JsonNode r =
                    JSON.readTree(
                            admin.client()
                                    .call(
                                            "POST",
                                            "faults",
                                            Map.of(),
                                            AdminClient.jsonField("rule", rule)));
            spec.commandLine()
                    .getOut()
                    .println(
                            "added fault rule "
                                    + r.path("id").asInt()
                                    + ": "
                                    + r.path("rule").asText());
            return CliErrors.SUCCESS;
        }
    }

    @Command(name = "list", description = "List rules with how often each matched and fired.")
    static final class ListRules implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOption admin;

        @Option(names = "--json", description = "Print the API's JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            String body = admin.client().call("GET", "faults", Map.of(), null);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.print(body);
                out.flush();
                return CliErrors.SUCCESS;
            }
            JsonNode rules = JSON.readTree(body);
            out.println(rules.size() + " fault rule" + (rules.size() == 1 ? "" : "s"));
            Table t = new Table("ID", "LAYER", "MATCHED", "FIRED", "RULE");
            rules.forEach(
                    r ->
                            t.row(
                                    r.path("id").asText(),
                                    r.path("layer").asText(),
                                    r.path("matched").asText(),
                                    r.path("fired").asText(),
                                    r.path("rule").asText()));
            if (!t.isEmpty()) {
                t.print(out);
            }
            out.flush();
            return CliErrors.SUCCESS;
        }
    }

    @Command(name = "remove", description = "Remove the rule with this id.")
    static final class Remove implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOption admin;

        @Parameters(paramLabel = "ID")
        int id;

        @Override
        public Integer call() throws Exception {
            admin.client().call("DELETE", "faults/" + id, Map.of(), null);
            spec.commandLine().getOut().println("removed fault rule " + id);
            return CliErrors.SUCCESS;
        }
    }

    @Command(name = "clear", description = "Remove every rule.")
    static final class Clear implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOption admin;

        @Override
        public Integer call() throws Exception {
            admin.client().call("DELETE", "faults", Map.of(), null);
            spec.commandLine().getOut().println("removed every fault rule");
            return CliErrors.SUCCESS;
        }
    }
}
