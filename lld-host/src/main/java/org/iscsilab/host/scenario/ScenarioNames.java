package org.iscsilab.host.scenario;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * How a scenario is named on the command line: by its letter (the enum constant, B_MP) or its id
 * (B-mp-remove-blocked-path), in any case; an unknown name is refused with every id there is.
 */
public final class ScenarioNames {
    private ScenarioNames() {}

    /**
     * The value {@code text} names; {@code kind} ("scenario", "multipath case") and {@code more}
     * (other words the command takes, e.g. "all", or "") complete the refusal.
     */
    public static <E extends Enum<E>> E parse(
            E[] values, Function<E, String> id, String text, String kind, String more) {
        String t = text.toLowerCase(Locale.ROOT);
        for (E v : values) {
            if (id.apply(v).toLowerCase(Locale.ROOT).equals(t)
                    || v.name().toLowerCase(Locale.ROOT).equals(t)) {
                return v;
            }
        }
        String known = Arrays.stream(values).map(id).collect(Collectors.joining(", "));
        throw new IllegalArgumentException(
                "unknown "
                        + kind
                        + " '"
                        + text
                        + "'; use one of "
                        + known
                        + (more.isEmpty() ? "" : ", " + more));
    }
}
