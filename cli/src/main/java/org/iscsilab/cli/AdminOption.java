package org.iscsilab.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.iscsilab.server.admin.AdminAddress;
import org.iscsilab.server.admin.AdminClient;
import org.iscsilab.server.config.ConfigFile;
import org.iscsilab.server.config.TargetConfig;
import picocli.CommandLine.Option;

/**
 * Where the subcommands that talk to a running target find its admin API (a picocli mixin): the
 * --admin flag, else the ISCSILAB_ADMIN environment variable, else the {@code admin} of the
 * --config file the target was started with, else 127.0.0.1:9260. Each takes HOST, HOST:PORT (port
 * 9260 when left out) or the URL the target prints.
 */
public final class AdminOption {
    @Option(
            names = "--admin",
            paramLabel = "HOST:PORT",
            description =
                    "The target's admin API: HOST[:PORT] or its URL (default: $$"
                            + AdminAddress.ENVIRONMENT
                            + ", else the --config file's admin, else 127.0.0.1:9260).")
    String address;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "The target's configuration file, to take its admin address from.")
    Path config;

    AdminClient client() {
        return new AdminClient(address());
    }

    /** The address to use, checked; errors name where the address came from. */
    AdminAddress address() {
        if (address != null) {
            return parse("--admin", address);
        }
        String env = System.getenv(AdminAddress.ENVIRONMENT);
        if (env != null && !env.isBlank()) {
            return parse(AdminAddress.ENVIRONMENT, env);
        }
        if (config != null) {
            TargetConfig c;
            try {
                c = ConfigFile.load(config);
            } catch (IllegalArgumentException e) {
                throw new CliErrors.UsageException("--config " + config + ": " + e.getMessage());
            } catch (IOException e) {
                throw new CliErrors.UsageException(
                        "--config " + config + ": " + CliErrors.describe(e));
            }
            if (c.admin() != null && c.admin().equalsIgnoreCase("off")) {
                throw new CliErrors.UsageException(
                        "--config " + config + " turns the admin API off; give --admin");
            }
            if (c.admin() != null) {
                return parse("admin in " + config, c.admin());
            }
        }
        return AdminAddress.DEFAULT;
    }

    private static AdminAddress parse(String source, String text) {
        try {
            return AdminAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CliErrors.UsageException(source + " " + text + ": " + e.getMessage());
        }
    }
}
