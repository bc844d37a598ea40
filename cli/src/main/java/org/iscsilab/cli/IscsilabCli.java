package org.iscsilab.cli;

import java.io.IOException;
import java.net.BindException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code iscsilab} command: runs the target ({@code target}), drives a running one through its
 * admin API ({@code fault}, {@code lun}, {@code events}, {@code status}), runs the 2017 removal
 * race against it ({@code scenario}) and measures it ({@code bench}).
 */
@Command(
        name = "iscsilab",
        mixinStandardHelpOptions = true,
        version = "iscsilab 0.1.0",
        description = "iSCSI target emulator and Linux-style SCSI host stack.",
        subcommands = {
            TargetCommand.class,
            FaultCommand.class,
            LunCommand.class,
            EventsCommand.class,
            StatusCommand.class,
            ScenarioCommand.class,
            BenchCommand.class
        })
public final class IscsilabCli {

    public static void main(String[] args) {
        configureLogging(args);
        // Netty's leak detector records a stack trace for a sample of buffers: an allocation on the
        // data path. The test suites run it at paranoid; the command line runs without it unless
        // -Dio.netty.leakDetection.level is given (e.g. through ISCSILAB_JAVA_OPTS).
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        CommandLine cli = new CommandLine(new IscsilabCli());
        cli.setExecutionExceptionHandler(
                (ex, cmd, parsed) -> {
                    if (ex instanceof IllegalArgumentException
                            || ex instanceof IOException
                            || ex instanceof BindException) {
                        cmd.getErr().println("iscsilab: " + ex.getMessage());
                        return 2;
                    }
                    throw ex;
                });
        int code = cli.execute(args);
        if (code != 0 || args.length == 0 || !args[0].equals("target")) {
            System.exit(code);
        }
    }

    /**
     * --log-level must take effect before the first logger is created (logback.xml reads it once).
     */
    private static void configureLogging(String[] args) {
        try {
            System.setProperty("iscsilab.log.level", LogLevel.of(args).logbackName());
        } catch (IllegalArgumentException e) {
            System.err.println("iscsilab: " + e.getMessage());
            System.exit(2);
        }
    }
}
