package org.iscsilab.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import org.iscsilab.server.admin.AdminClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code iscsilab fault add|list|remove|clear}: fault rules of a running target, through its admin
 * API.
 */
@Command(
        name = "fault",
        mixinStandardHelpOptions = true,
        description =
                "Add, list and remove fault rules of a running target (rule syntax: docs/faults-and-admin.md).",
        subcommands = {
            FaultCommand.Add.class,
            FaultCommand.ListRules.class,
            FaultCommand.Remove.class,
            FaultCommand.Clear.class
        })
public final class FaultCommand {

    @Command(name = "add", description = "Add a rule, e.g. medium-error,lun=0,lba=100-199")
    static final class Add implements Callable<Integer> {
        @Mixin AdminOption admin;

        @Parameters(paramLabel = "RULE")
        String rule;

        @Override
        public Integer call() throws Exception {
            System.out.print(
                    admin.client()
                            .call("POST", "faults", Map.of(), AdminClient.jsonField("rule", rule)));
            return 0;
        }
    }

    @Command(name = "list", description = "List rules with how often each matched and fired.")
    static final class ListRules implements Callable<Integer> {
        @Mixin AdminOption admin;

        @Override
        public Integer call() throws Exception {
            System.out.print(admin.client().call("GET", "faults", Map.of(), null));
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove the rule with this id.")
    static final class Remove implements Callable<Integer> {
        @Mixin AdminOption admin;

        @Parameters(paramLabel = "ID")
        int id;

        @Override
        public Integer call() throws Exception {
            return delete(admin, "faults/" + id, "removed fault rule " + id);
        }
    }

    @Command(name = "clear", description = "Remove every rule.")
    static final class Clear implements Callable<Integer> {
        @Mixin AdminOption admin;

        @Override
        public Integer call() throws Exception {
            return delete(admin, "faults", "removed every fault rule");
        }
    }

    private static Integer delete(AdminOption admin, String path, String done) throws Exception {
        admin.client().call("DELETE", path, Map.of(), null);
        System.out.println(done);
        return 0;
    }
}
