package org.iscsilab.cli;

import java.io.PrintWriter;
import java.util.Map;
import org.iscsilab.iscsi.node.IscsiNames;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What a client command about one target of a running server shares (lun ..., alua ...): the admin
 * API's address, {@code --target} when the server has several, and printing the API's JSON.
 */
abstract class TargetClientCommand {
    @Spec CommandSpec spec;
    @Mixin AdminOption admin;

    @Option(
            names = "--target",
            paramLabel = "IQN",
            description = "The target, when the server has several.")
    String target;

    /** The API's query naming the target, checked first (no request for a bad name). */
    Map<String, String> query() {
        if (target == null) {
            return Map.of();
        }
        try {
            IscsiNames.validate(target);
        } catch (IllegalArgumentException e) {
            throw new CliErrors.UsageException("--target " + target + ": " + e.getMessage());
        }
        return Map.of("target", target);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Prints an API answer as it came (--json), for scripts. */
    Integer printJson(String body) {
        out().print(body);
        out().flush();
        return CliErrors.SUCCESS;
    }
}
