package org.iscsilab.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A bench job file (YAML): {@code global} holds defaults for every job, {@code jobs} a list of jobs
 * run one after another, each with an optional {@code name} and the bench options it sets, by their
 * long names without the dashes ({@code workload: randread}, {@code bs: 4k}). A job's own keys
 * override the global ones; options given on the command line override both.
 */
final class BenchJobs {
    private static final YAMLMapper YAML =
            (YAMLMapper) new YAMLMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The most jobs a file may hold. */
    static final int MAX_JOBS = 100;

    /** The file's shape. */
    record FileModel(Map<String, Object> global, List<Map<String, Object>> jobs) {}

    /** One job: its name and its options as command-line arguments, in order of precedence. */
    record Entry(String name, List<String> args) {}

    /** Parses a job's arguments into bench options, as the command line does. */
    @Command(name = "job")
    static final class JobCommand {
        @Mixin BenchOptions options;

        static CommandLine commandLine() {
            CommandLine cl = new CommandLine(new JobCommand());
            cl.setOverwrittenOptionsAllowed(true);
            cl.setCaseInsensitiveEnumValuesAllowed(true);
            return cl;
        }
    }

    private BenchJobs() {}

    /** The keys a job may set: the bench options' long names without the dashes. */
    static Set<String> keys() {
        Set<String> keys = new TreeSet<>();
        for (OptionSpec o : JobCommand.commandLine().getCommandSpec().options()) {
            keys.add(o.longestName().substring(2));
        }
        return keys;
    }

    /** The jobs of a file's text; an error names the job and the key. */
    static List<Entry> parse(String text) {
        FileModel file;
        try {
            file = YAML.readValue(text, FileModel.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(
                    "unknown top-level key '"
                            + e.getPropertyName()
                            + "'; a job file has 'global' and 'jobs'");
        } catch (JsonProcessingException e) {
            String where =
                    e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ": ";
            throw new IllegalArgumentException(
                    where
                            + "not a job file (global: {...}, jobs: [...]): "
                            + e.getOriginalMessage());
        }
        if (file == null || file.jobs() == null || file.jobs().isEmpty()) {
            throw new IllegalArgumentException("no jobs: list them under 'jobs:'");
        }
        if (file.jobs().size() > MAX_JOBS) {
            throw new IllegalArgumentException(
                    file.jobs().size() + " jobs; a file holds at most " + MAX_JOBS);
        }
        Set<String> keys = keys();
        List<String> global = args("global", file.global(), keys);
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < file.jobs().size(); i++) {
            Map<String, Object> job =
                    file.jobs().get(i) == null ? Map.of() : new LinkedHashMap<>(file.jobs().get(i));
            Object named = job.remove("name");
            String name = named == null ? "job" + (i + 1) : named.toString();
            if (!names.add(name)) {
                throw new IllegalArgumentException("two jobs are named '" + name + "'");
            }
            List<String> args = new ArrayList<>(global);
            args.addAll(args("job '" + name + "'", job, keys));
            entries.add(new Entry(name, args));
        }
        return entries;
    }

    private static List<String> args(String where, Map<String, Object> values, Set<String> keys) {
        List<String> args = new ArrayList<>();
        if (values == null) {
            return args;
        }
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (!keys.contains(e.getKey())) {
                throw new IllegalArgumentException(
                        where
                                + ": unknown key '"
                                + e.getKey()
                                + "'; known keys: name, "
                                + String.join(", ", keys));
            }
            Object v = e.getValue();
            if (v == null || v instanceof Map || v instanceof List) {
                throw new IllegalArgumentException(
                        where
                                + ": '"
                                + e.getKey()
                                + "' needs one value, e.g. "
                                + e.getKey()
                                + ": 4");
            }
            args.add("--" + e.getKey() + "=" + v);
        }
        return args;
    }
}
