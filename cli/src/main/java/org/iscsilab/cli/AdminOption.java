package org.iscsilab.cli;

import org.iscsilab.server.admin.AdminClient;
import picocli.CommandLine.Option;

/** The --admin option shared by the subcommands that talk to a running target (a picocli mixin). */
public final class AdminOption {
    @Option(
            names = "--admin",
            paramLabel = "HOST:PORT",
            description = "The target's admin API (default ${DEFAULT-VALUE}).")
    String address = AdminClient.DEFAULT_ADDRESS;

    AdminClient client() {
        return new AdminClient(address);
    }
}
