package org.iscsilab.cli;

import java.util.Locale;

/**
 * The levels of {@code --log-level}. The option is read before picocli runs (logback reads the
 * level once, when the first logger is made) and declared on the commands for their help; both go
 * through {@link #parse}.
 */
public enum LogLevel {
    ERROR,
    WARN,
    INFO,
    DEBUG,
    TRACE;

    /** The names as users type them: error, warn, info, debug, trace. */
    public static final String NAMES = "error, warn, info, debug or trace";

    /** The level named, in any case; a message listing the levels otherwise. */
    public static LogLevel parse(String text) {
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--log-level must be " + NAMES + ", not '" + text + "'");
        }
    }

    /**
     * The level given on a command line ({@code --log-level L} or {@code --log-level=L}), else
     * INFO.
     */
    static LogLevel of(String[] args) {
        String level = "info";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--log-level") && i + 1 < args.length) {
                level = args[i + 1];
            } else if (args[i].startsWith("--log-level=")) {
                level = args[i].substring("--log-level=".length());
            }
        }
        return parse(level);
    }

    /** Debug and trace: errors print their stack traces too. */
    boolean verbose() {
        return this == DEBUG || this == TRACE;
    }

    /** The name logback's configuration reads. */
    String logbackName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
