package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README is a front door and every reference into the docs resolves: links between the pages
 * (with their #anchors) and the "docs/PAGE.md §N" citations in code and docs.
 */
class DocumentationTest {
    private static final Path ROOT =
            Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern CITATION =
            Pattern.compile("docs/([\\w-]+\\.md) (§\\d+(?:, §\\d+)*)");

    @Test
    void theReadmeIsAFrontDoorOfAtMost12KiBWithATableOfContents() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        long bytes = Files.size(ROOT.resolve("README.md"));
        assertTrue(
                bytes <= 12 * 1024, "README.md is " + bytes + " bytes; the rest belongs in docs/");
        assertTrue(readme.contains("\n## Contents\n"), "README.md has no table of contents");
        assertTrue(
                readme.contains("./iscsilab target") && readme.contains("./mvnw verify"),
                "README.md does not start with the two commands");
    }

    @Test
    void everyLinkInTheReadmeAndTheDocsResolves() throws IOException {
        List<String> dangling = new ArrayList<>();
        for (Path page : markdownPages()) {
            Matcher m = LINK.matcher(Files.readString(page));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-z]+:.*")) {
                    continue; // an absolute URL
                }
                String file =
                        target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                String anchor =
                        target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
                Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    dangling.add(ROOT.relativize(page) + ": " + target + " (no such file)");
                } else if (anchor != null && !anchors(resolved).contains(anchor)) {
                    dangling.add(ROOT.relativize(page) + ": " + target + " (no such heading)");
                }
            }
        }
        assertTrue(dangling.isEmpty(), "dangling links:\n" + String.join("\n", dangling));
    }

    @Test
    void everySectionCitationResolvesToANumberedHeading() throws IOException {
        List<String> dangling = new ArrayList<>();
        int citations = 0;
        List<Path> sources;
        try (Stream<Path> files = Files.walk(ROOT)) {
            sources =
                    files.filter(
                                    p ->
                                            !p.toString().contains("/target/")
                                                    && !p.toString().contains("/.git/"))
                            .filter(
                                    p ->
                                            p.toString().endsWith(".java")
                                                    || p.toString().endsWith(".md"))
                            .toList();
        }
        for (Path source : sources) {
            Matcher m = CITATION.matcher(Files.readString(source));
            while (m.find()) {
                citations++;
                Path doc = ROOT.resolve("docs").resolve(m.group(1));
                String text = Files.exists(doc) ? Files.readString(doc) : "";
                for (String section : m.group(2).split(", ")) {
                    String number = section.substring(1);
                    if (!Pattern.compile("(?m)^#+ §?" + number + "\\.? ").matcher(text).find()) {
                        dangling.add(
                                ROOT.relativize(source) + ": docs/" + m.group(1) + " " + section);
                    }
                }
            }
        }
        assertTrue(citations > 0, "no citations found under " + ROOT);
        assertTrue(
                dangling.isEmpty(),
                "citations of missing sections:\n" + String.join("\n", dangling));
    }

    private static List<Path> markdownPages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
    private static Set<String> anchors(Path page) throws IOException {
        Set<String> anchors = new TreeSet<>();
        for (String line : Files.readAllLines(page)) {
            if (line.startsWith("#")) {
                String title = line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT);
                anchors.add(title.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }
}
