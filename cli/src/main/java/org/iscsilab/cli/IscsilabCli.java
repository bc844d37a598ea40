package org.iscsilab.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The {@code iscsilab} command: runs the target ({@code target}), drives a running one through its
 * admin API ({@code fault}, {@code lun}, {@code events}, {@code status}), runs the 2017 removal
 * race against it ({@code scenario}) and measures it ({@code bench}).
 */
@Command(
        name = "iscsilab",
        mixinStandardHelpOptions = true,
        versionProvider = BuildVersion.class,
        description = "iSCSI target emulator and Linux-style SCSI host stack.",
        subcommands = {
            TargetCommand.class,
            FaultCommand.class,
            LunCommand.class,
            AluaCommand.class,
            EventsCommand.class,
            StatusCommand.class,
            ScenarioCommand.class,
            BenchCommand.class,
            CompletionCommand.class
        })
public final class IscsilabCli {
    /** The exit codes every command documents in its help. */
    static final Map<String, String> EXIT_CODES = new LinkedHashMap<>();

    static {
        EXIT_CODES.put(" " + CliErrors.SUCCESS, "success");
        EXIT_CODES.put(" " + CliErrors.FAILED, "the operation failed");
        EXIT_CODES.put(
                " " + CliErrors.USAGE,
                "bad usage: an unknown flag, a bad value, a bad file or request");
    }

    public static void main(String[] args) {
        LogLevel level = configureLogging(args);
        // Netty's leak detector records a stack trace for a sample of buffers: an allocation on the
        // data path. The test suites run it at paranoid; the command line runs without it unless
        // -Dio.netty.leakDetection.level is given (e.g. through ISCSILAB_JAVA_OPTS).
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        int code = commandLine(level.verbose()).execute(args);
        if (code != 0 || args.length == 0 || !args[0].equals("target")) {
            System.exit(code);
        }
    }

    /** Runs one command line with these streams and returns its exit code (for tests). */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = commandLine(false);
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    /**
     * The command tree with the one error model ({@link CliErrors}), --help and --version on every
     * command, and the exit codes in every help text.
     */
    static CommandLine commandLine(boolean stackTraces) {
        CommandLine cli = new CommandLine(new IscsilabCli());
        CliErrors errors = new CliErrors(stackTraces);
        cli.setParameterExceptionHandler(errors);
        cli.setExecutionExceptionHandler(errors);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        configure(cli);
        return cli;
    }

    private static void configure(CommandLine cmd) {
        CommandSpec spec = cmd.getCommandSpec();
        if (spec.optionsMap().get("--help") == null) {
            spec.mixinStandardHelpOptions(true);
        }
        if (spec.versionProvider() == null) {
            spec.versionProvider(new BuildVersion());
        }
        spec.usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(EXIT_CODES);
        cmd.getSubcommands().values().forEach(IscsilabCli::configure);
    }

    /**
     * --log-level must take effect before the first logger is created (logback.xml reads it once).
     */
    private static LogLevel configureLogging(String[] args) {
        try {
            LogLevel level = LogLevel.of(args);
            System.setProperty("iscsilab.log.level", level.logbackName());
            return level;
        } catch (IllegalArgumentException e) {
            System.err.println("iscsilab: " + e.getMessage());
            System.exit(CliErrors.USAGE);
            throw e;
        }
    }
}
