package org.iscsilab.cli;

import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of option values that commands make before they start anything; a failure is bad usage
 * (exit 2) whose one line names the option and the value.
 */
final class OptionChecks {
    private OptionChecks() {}

    /**
     * Applies {@code rule} to the value and returns what it made; its IllegalArgumentException
     * becomes the refusal.
     */
    static <T> T check(CommandSpec spec, String option, String value, Function<String, T> rule) {
        try {
            return rule.apply(value);
        } catch (IllegalArgumentException e) {
            throw bad(spec, option, value, e.getMessage());
        }
    }

    /** "--option value: why". */
    static ParameterException bad(CommandSpec spec, String option, Object value, String why) {
        return new ParameterException(spec.commandLine(), option + " " + value + ": " + why);
    }
}
