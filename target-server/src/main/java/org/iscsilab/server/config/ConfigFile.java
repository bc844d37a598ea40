package org.iscsilab.server.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.iscsilab.core.LunSpec;
import org.iscsilab.core.fault.FaultSpec;
import org.iscsilab.iscsi.fault.IscsiFaultActions;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.iscsi.login.SrpCredentials;
import org.iscsilab.iscsi.node.InitiatorAccess;
import org.iscsilab.iscsi.node.IscsiNames;
import org.iscsilab.iscsi.node.TargetSettings;

/**
 * Reads a {@link TargetConfig} from YAML (Jackson's YAML data format). {@code ${NAME}} in the text
 * is replaced by the environment variable NAME, so secrets need not be in the file. Every error
 * names the file, the line and the field.
 */
public final class ConfigFile {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final YAMLMapper YAML =
            (YAMLMapper)
                    new YAMLMapper()
                            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);

    /** A configuration error, its message ready to print. */
    public static final class ConfigException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        ConfigException(String message) {
            super(message);
        }
    }

    private ConfigFile() {}

    public static TargetConfig load(Path file) throws IOException {
        return parse(file.getFileName().toString(), Files.readString(file), System::getenv);
    }

    /** Parses YAML text; {@code env} resolves ${NAME}. */
    public static TargetConfig parse(String name, String text, Function<String, String> env) {
        String expanded = expand(name, text, env);
        if (expanded.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
            throw new ConfigException(
                    name
                            + ": the file is empty; it holds portals, admin, targets and more (docs/target.md)");
        }
        try {
            TargetConfig c = YAML.readValue(expanded, TargetConfig.class);
            if (c == null) {
                return TargetConfig.empty();
            }
            validate(name, expanded, c);
            return c;
        } catch (UnrecognizedPropertyException e) {
            // Records are bound through their constructor, so Jackson reports the end of the
            // enclosing
            // object; the key's own line is found in the text instead.
            int line = keyLine(expanded, e.getPropertyName());
            String in = path(e.getPath().subList(0, e.getPath().size() - 1));
            throw new ConfigException(
                    (line > 0 ? name + " line " + line + ": " : where(name, e.getLocation()))
                            + "unknown field '"
                            + e.getPropertyName()
                            + "'"
                            + (in.isEmpty() ? "" : " in " + in)
                            + "; known fields: "
                            + e.getKnownPropertyIds().stream()
                                    .map(String::valueOf)
                                    .sorted()
                                    .toList());
        } catch (MismatchedInputException e) {
            String field = path(e.getPath());
            throw new ConfigException(
                    where(name, e.getLocation())
                            + (field.isEmpty() ? "the document" : field)
                            + ": expected "
                            + expected(e.getTargetType())
                            + ", not "
                            + found(e.getOriginalMessage()));
        } catch (JsonMappingException e) {
            String field = path(e.getPath());
            throw new ConfigException(
                    where(name, e.getLocation())
                            + (field.isEmpty() ? "the document" : field)
                            + ": "
                            + e.getOriginalMessage()
                                    .replaceAll(" \\(class [^)]*\\)", "")
                                    .replaceAll("`[a-z.]*\\.TargetConfig\\$?", "`"));
        } catch (JsonProcessingException e) {
            throw new ConfigException(
                    where(name, e.getLocation()) + "not valid YAML: " + e.getOriginalMessage());
        }
    }

    /** What a field of this type takes, in the file's words. */
    private static String expected(Class<?> type) {
        if (type == null) {
            return "another kind of value";
        }
        if (type == Integer.class
                || type == int.class
                || type == Long.class
                || type == long.class) {
            return "a whole number";
        }
        if (type == String.class) {
            return "text";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a mapping";
        }
        if (type.isRecord()) {
            return "a mapping of "
                    + Arrays.stream(type.getRecordComponents())
                            .map(RecordComponent::getName)
                            .collect(Collectors.joining(", "));
        }
        return "a " + type.getSimpleName();
    }

    /** What the file had instead, from the parser's words. */
    private static String found(String parserMessage) {
        Matcher text = Pattern.compile("from String (\"[^\"]*\")").matcher(parserMessage);
        if (text.find()) {
            return "the text " + text.group(1);
        }
        if (parserMessage.contains("Number value")) {
            Matcher n = Pattern.compile("Number value \\(([^)]*)\\)").matcher(parserMessage);
            return n.find() ? "the number " + n.group(1) : "a number";
        }
        if (parserMessage.contains("Array value") || parserMessage.contains("START_ARRAY")) {
            return "a list";
        }
        if (parserMessage.contains("Object value") || parserMessage.contains("START_OBJECT")) {
            return "a mapping";
        }
        if (parserMessage.contains("Boolean value")) {
            return "true or false";
        }
        return "what is there";
    }

    /**
     * Checks what YAML cannot: names, LUN specs, networks, masks, secrets; errors name line and
     * field.
     */
    private static void validate(String name, String text, TargetConfig c) {
        check(name, text, "admin", c.admin(), v -> HostPort.parse(v, 9260));
        if (c.portals() != null) {
            for (int i = 0; i < c.portals().size(); i++) {
                TargetConfig.Portal p = c.portals().get(i);
                if (p == null || p.listen() == null) {
                    throw new ConfigException(
                            name + ": portals[" + i + "]: a portal needs 'listen: HOST:PORT'");
                }
                check(
                        name,
                        text,
                        "portals[" + i + "].listen",
                        p.listen(),
                        v -> HostPort.parse(v, 3260));
                check(
                        name,
                        text,
                        "portals[" + i + "].advertise",
                        p.advertise(),
                        v -> HostPort.parse(v, 3260));
            }
        }
        checkCredentials(name, text, "discoveryChap", c.discoveryChap());
        checkCredentials(name, text, "discoveryMutualChap", c.discoveryMutualChap());
        if (c.discoveryMutualChap() != null && c.discoveryChap() == null) {
            throw new ConfigException(name + ": discoveryMutualChap needs discoveryChap");
        }
        if (c.limits() != null) {
            check(name, text, "limits", "limits", v -> c.limits().toLimits());
        }
        if (c.session() != null) {
            check(
                    name,
                    text,
                    "session",
                    "session",
                    v -> c.session().applyTo(TargetSettings.defaults()));
        }
        if (c.io() != null) {
            check(name, text, "io", "io", v -> c.io().toNetworkIo());
        }
        if (c.faults() != null) {
            for (int i = 0; i < c.faults().size(); i++) {
                check(
                        name,
                        text,
                        "faults[" + i + "]",
                        c.faults().get(i),
                        v -> FaultSpec.parse(v, IscsiFaultActions.ALL_LAYERS));
            }
        }
        if (c.portals() != null && c.portals().isEmpty()) {
            throw new ConfigException(
                    name
                            + ": portals is empty; list at least one, or leave portals out for "
                            + TargetConfig.DEFAULT_PORTAL);
        }
        if (c.targets() == null) {
            return;
        }
        if (c.targets().isEmpty()) {
            throw new ConfigException(
                    name
                            + ": targets is empty; list at least one, or leave targets out for the default "
                            + TargetConfig.DEFAULT_IQN);
        }
        for (int t = 0; t < c.targets().size(); t++) {
            TargetConfig.Node n = c.targets().get(t);
            String at = "targets[" + t + "]";
            check(name, text, at + ".iqn", n.iqn(), IscsiNames::validate);
            if (n.luns() != null) {
                for (int l = 0; l < n.luns().size(); l++) {
                    check(name, text, at + ".luns[" + l + "]", n.luns().get(l), LunSpec::parse);
                }
            }
            checkCredentials(name, text, at + ".chap", n.chap());
            checkCredentials(name, text, at + ".mutualChap", n.mutualChap());
            checkCredentials(
                    name,
                    text,
                    at + ".srp",
                    n.srp(),
                    v -> SrpCredentials.requireUsable(n.srp().user(), v));
            if (n.mutualChap() != null && n.chap() == null) {
                throw new ConfigException(name + ": " + at + ".mutualChap needs " + at + ".chap");
            }
            if (n.allowInitiators() != null) {
                for (int i = 0; i < n.allowInitiators().size(); i++) {
                    check(
                            name,
                            text,
                            at + ".allowInitiators[" + i + "]",
                            n.allowInitiators().get(i),
                            IscsiNames::validate);
                }
            }
            if (n.allowNetworks() != null) {
                check(
                        name,
                        text,
                        at + ".allowNetworks",
                        String.join(",", n.allowNetworks()),
                        v -> new InitiatorAccess().allowNetworks(n.allowNetworks()));
            }
            if (n.lunMasks() != null) {
                for (String iqn : n.lunMasks().keySet()) {
                    check(name, text, at + ".lunMasks", iqn, IscsiNames::validate);
                }
            }
        }
    }

    private static void checkCredentials(
            String name, String text, String at, TargetConfig.Credentials c) {
        checkCredentials(name, text, at, c, v -> new ChapCredentials(c.user(), v));
    }

    private static void checkCredentials(
            String name,
            String text,
            String at,
            TargetConfig.Credentials c,
            Consumer<String> secretRule) {
        if (c == null) {
            return;
        }
        if (c.user() == null || c.secret() == null) {
            throw new ConfigException(name + ": " + at + " needs 'user' and 'secret'");
        }
        check(name, text, at + ".secret", c.secret(), secretRule);
    }

    private static void check(
            String name, String text, String field, String value, Consumer<String> validator) {
        if (value == null) {
            return;
        }
        try {
            validator.accept(value);
        } catch (IllegalArgumentException e) {
            int line = lineOf(text, value);
            throw new ConfigException(
                    name
                            + (line > 0 ? " line " + line : "")
                            + " ("
                            + field
                            + "): "
                            + e.getMessage());
        }
    }

    private static String expand(String name, String text, Function<String, String> env) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.apply(m.group(1));
            if (value == null) {
                int line =
                        1
                                + (int)
                                        text.substring(0, m.start())
                                                .chars()
                                                .filter(c -> c == '\n')
                                                .count();
                throw new ConfigException(
                        name
                                + " line "
                                + line
                                + ": environment variable "
                                + m.group(1)
                                + " is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String where(String name, JsonLocation at) {
        return at == null ? name + ": " : name + " line " + at.getLineNr() + ": ";
    }

    /** The field path of a mapping error, e.g. targets[0].luns[1]. */
    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : references) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /** The line where {@code key} first appears as a mapping key, or -1. */
    private static int keyLine(String text, String key) {
        Matcher m = Pattern.compile("(?m)^[ \\t-]*" + Pattern.quote(key) + "\\s*:").matcher(text);
        return m.find()
                ? 1 + (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count()
                : -1;
    }

    /**
     * The line of the first occurrence of {@code value} in the file's text, for errors found after
     * parsing.
     */
    public static int lineOf(String text, String value) {
        int at = text.indexOf(value);
        return at < 0 ? -1 : 1 + (int) text.substring(0, at).chars().filter(c -> c == '\n').count();
    }
}
