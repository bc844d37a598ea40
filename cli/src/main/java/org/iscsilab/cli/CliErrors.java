package org.iscsilab.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.iscsilab.server.admin.AdminClient.AdminException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The command line's one error model: every error is one line, "iscsilab COMMAND: what is wrong",
 * naming the flag, file or value at fault; no exception class names and no stack trace unless
 * {@code --log-level debug}. Exit codes: {@link #SUCCESS}, {@link #FAILED} (the operation failed: a
 * refused connection, a busy port, a conflict with the target's state) and {@link #USAGE} (bad
 * usage: an unknown flag, a bad value, a bad configuration file, a request the API refused as bad).
 */
final class CliErrors implements IParameterExceptionHandler, IExecutionExceptionHandler {
    static final int SUCCESS = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private final boolean stackTraces;

    CliErrors(boolean stackTraces) {
        this.stackTraces = stackTraces;
    }

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(
                prefix(cmd)
                        + oneLine(e.getMessage())
                        + " (see '"
                        + cmd.getCommandSpec().qualifiedName()
                        + " --help')");
        if (stackTraces) {
            e.printStackTrace(err);
        }
        err.flush();
        return USAGE;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        err.println(prefix(cmd) + describe(e));
        if (stackTraces) {
            e.printStackTrace(err);
        }
        err.flush();
        return exitCode(e);
    }

    /** The API's own pointers, said as the command line says them. */
    private static String forTheCommandLine(String apiMessage) {
        return apiMessage
                .replace("GET /api/v1/faults", "iscsilab fault list")
                .replace("GET /api/v1/luns", "iscsilab lun list");
    }

    static int exitCode(Throwable e) {
        if (e instanceof AdminException a) {
            return a.status() == 400 ? USAGE : FAILED;
        }
        if (e instanceof UsageException) {
            return USAGE;
        }
        return FAILED;
    }

    /** What went wrong, in one line that never is empty nor a class name. */
    static String describe(Throwable e) {
        Throwable t = e;
        // wrappers whose message is only their cause's class and message
        while (t.getCause() != null
                && (t.getMessage() == null
                        || t instanceof CompletionException
                        || t instanceof ExecutionException
                        || t instanceof UncheckedIOException)) {
            t = t.getCause();
        }
        String m = t instanceof AdminException ? forTheCommandLine(t.getMessage()) : t.getMessage();
        if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
            return "cannot resolve the host" + (m == null ? "" : " " + m);
        }
        if (t instanceof NoSuchFileException) {
            return m + ": no such file or directory";
        }
        if (t instanceof AccessDeniedException) {
            return m + ": permission denied";
        }
        if (t instanceof BindException || t instanceof ConnectException) {
            return m == null ? "the address is not available" : oneLine(m);
        }
        if (m != null) {
            // the native transport's wording: "finishConnect(..) failed with error(-111):
            // Connection refused"
            m = m.replaceAll("\\w+\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "");
        }
        if (m == null || m.isBlank()) {
            return "failed (" + words(t.getClass().getSimpleName()) + ")";
        }
        return oneLine(m);
    }

    /** "UnresolvedAddressException" -> "unresolved address". */
    private static String words(String className) {
        String bare = className.replaceAll("(Exception|Error)$", "");
        return bare.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }

    private static String oneLine(String m) {
        return m.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    private static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName() + ": ";
    }

    /** Bad usage found after parsing, e.g. a flag value the command checks itself. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
    }
}
