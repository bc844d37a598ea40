package org.iscsilab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The option tables in docs/ are the command's options, no more and no fewer. A table is marked
 * with {@code <!-- options: target -->} (or several commands sharing one table, separated by
 * commas) on the line before it; its first column names the options.
 */
class OptionsDocumentedTest {
    private static final Pattern MARKER = Pattern.compile("<!-- options: (.+?) -->");
    private static final Pattern OPTION_NAME =
            Pattern.compile("(?<![\\w-])(--?[a-zA-Z][a-z0-9-]*)");
    private static final Path DOCS =
            Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolveSibling("docs");

    @TestFactory
    Stream<DynamicTest> everyDocumentedTableListsExactlyTheCommandsOptions() throws IOException {
        Map<String, Set<String>> documented = documentedTables();
        assertFalse(documented.isEmpty(), "no option tables found under " + DOCS);
        return documented.entrySet().stream()
                .map(
                        e ->
                                DynamicTest.dynamicTest(
                                        "iscsilab " + e.getKey(),
                                        () ->
                                                assertEquals(
                                                        optionsOf(e.getKey()),
                                                        e.getValue(),
                                                        "the options table of 'iscsilab "
                                                                + e.getKey()
                                                                + "' in docs/")));
    }

    @Test
    void everyCommandWithOptionsHasATable() throws IOException {
        Set<String> documented = documentedTables().keySet();
        List<String> missing = new ArrayList<>();
        leafCommands(new CommandLine(new IscsilabCli()), "", missing, documented);
        assertTrue(missing.isEmpty(), "commands with options but no table in docs/: " + missing);
    }

    private static void leafCommands(
            CommandLine cmd, String path, List<String> missing, Set<String> documented) {
        if (cmd.getSubcommands().isEmpty()) {
            if (!optionsOf(cmd).isEmpty() && !documented.contains(path)) {
                missing.add(path);
            }
            return;
        }
        for (Map.Entry<String, CommandLine> sub : cmd.getSubcommands().entrySet()) {
            leafCommands(sub.getValue(), (path + " " + sub.getKey()).trim(), missing, documented);
        }
    }

    private static Set<String> optionsOf(String path) {
        CommandLine cmd = new CommandLine(new IscsilabCli());
        for (String name : path.split(" ")) {
            CommandLine sub = cmd.getSubcommands().get(name);
            if (sub == null) {
                throw new AssertionError(
                        "docs/ documents 'iscsilab " + path + "', which is no command");
            }
            cmd = sub;
        }
        return optionsOf(cmd);
    }

    private static Set<String> optionsOf(CommandLine cmd) {
        Set<String> names = new TreeSet<>();
        for (OptionSpec o : cmd.getCommandSpec().options()) {
            if (!o.usageHelp() && !o.versionHelp()) {
                names.addAll(Arrays.asList(o.names()));
            }
        }
        return names;
    }

    /** Command path to the option names in the first column of its table, over every page. */
    private static Map<String, Set<String>> documentedTables() throws IOException {
        Map<String, Set<String>> tables = new LinkedHashMap<>();
        try (Stream<Path> pages = Files.list(DOCS)) {
            for (Path page : pages.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                List<String> lines = Files.readAllLines(page);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = MARKER.matcher(lines.get(i));
                    if (!m.find()) {
                        continue;
                    }
                    Set<String> names = firstColumnOptions(lines, i + 1);
                    for (String command : m.group(1).split(",")) {
                        tables.put(command.trim(), names);
                    }
                }
            }
        }
        return tables;
    }

    private static Set<String> firstColumnOptions(List<String> lines, int from) {
        Set<String> names = new TreeSet<>();
        for (int i = from + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String firstCell = lines.get(i).substring(1).split("(?<!\\\\)\\|")[0];
            Matcher m = OPTION_NAME.matcher(firstCell);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }
}
