package org.iscsilab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The README's quick start, as a reader copies it: the test compiles and passes as written, and the
 * dependency snippet names this build's BOM and kit.
 */
class ReadmeQuickStartTest {
    private static final Path README =
            Path.of(System.getProperty("basedir", "."))
                    .toAbsolutePath()
                    .getParent()
                    .resolve("README.md");

    /** The code block of {@code language} in the quick-start section. */
    private static String block(String language) throws Exception {
        String text = Files.readString(README);
        int section = text.indexOf("\n## Quick start for test authors\n");
        assertTrue(section >= 0, "README.md has a quick start for test authors");
        int end = text.indexOf("\n## ", section + 1);
        Matcher m =
                Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL)
                        .matcher(text.substring(section, end < 0 ? text.length() : end));
        assertTrue(m.find(), "the quick start has a ```" + language + " block");
        return m.group(1);
    }

    @Test
    void theTestCompilesAndPassesAsWritten(@TempDir Path dir) throws Exception {
        String source = block("java");
        assertTrue(source.lines().count() <= 20, "at most 20 lines:\n" + source);
        Matcher name = Pattern.compile("\\bclass (\\w+)").matcher(source);
        assertTrue(name.find());
        Path file = dir.resolve(name.group(1) + ".java");
        Files.writeString(file, source);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String classpath =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        StringWriter diagnostics = new StringWriter();
        boolean compiled =
                javac.getTask(
                                diagnostics,
                                null,
                                null,
                                List.of("-classpath", classpath, "-d", dir.toString()),
                                null,
                                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)
                                        .getJavaFileObjects(file.toFile()))
                        .call();
        assertTrue(compiled, diagnostics.toString());

        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Class<?> test = loader.loadClass(name.group(1));
            Events tests =
                    EngineTestKit.engine("junit-jupiter")
                            .selectors(selectClass(test))
                            .execute()
                            .testEvents();
            assertEquals(1, tests.started().count(), "the quick start is one test");
            assertEquals(1, tests.succeeded().count(), "and it passes");
        }
    }

    @Test
    void theDependencySnippetImportsTheBomAndAddsTheKit() throws Exception {
        String xml = "<snippet>" + block("xml") + "</snippet>";
        Element snippet =
                DocumentBuilderFactory.newInstance()
                        .newDocumentBuilder()
                        .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
                        .getDocumentElement();
        NodeList deps = snippet.getElementsByTagName("dependency");
        assertEquals(2, deps.getLength());
        Element bom = (Element) deps.item(0);
        assertEquals("org.iscsilab", text(bom, "groupId"));
        assertEquals("iscsilab-bom", text(bom, "artifactId"));
        assertEquals(System.getProperty("iscsilab.version"), text(bom, "version"));
        assertEquals("import", text(bom, "scope"));
        Element kit = (Element) deps.item(1);
        assertEquals("iscsilab-testkit", text(kit, "artifactId"));
        assertEquals("", text(kit, "version"), "the BOM gives the version");
        assertTrue(new File(README.getParent().toFile(), "bom/pom.xml").isFile());
    }

    private static String text(Element e, String tag) {
        NodeList n = e.getElementsByTagName(tag);
        return n.getLength() == 0 ? "" : n.item(0).getTextContent().trim();
    }
}
