package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The coordinates users depend on: every module is org.iscsilab:iscsilab-DIRECTORY, and the BOM
 * lists every module a project can use, at the build's version.
 */
class PublishedArtifactsTest {
    private static final Path ROOT =
            Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();

    /** Built and tested here, never a dependency of anyone else's project. */
    private static final Set<String> NOT_PUBLISHED =
            Set.of("iscsilab-it", "iscsilab-benchmarks", "iscsilab-bom");

    private static Document pom(Path dir) throws Exception {
        return DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(dir.resolve("pom.xml").toFile());
    }

    /** The text of the first child element of {@code parent} named {@code name}. */
    private static String child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e.getTextContent().trim();
            }
        }
        return null;
    }

    private static List<String> modules() throws Exception {
        List<String> out = new ArrayList<>();
        NodeList nodes = pom(ROOT).getElementsByTagName("module");
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent().trim());
        }
        return out;
    }

    @Test
    void everyModuleIsNamedIscsilabAndItsDirectory() throws Exception {
        for (String module : modules()) {
            Element project = pom(ROOT.resolve(module)).getDocumentElement();
            String directory = Path.of(module).getFileName().toString();
            assertEquals("iscsilab-" + directory, child(project, "artifactId"), module);
        }
    }

    @Test
    void theBomListsEveryPublishedModuleAtTheBuildsVersion() throws Exception {
        String version = child(pom(ROOT).getDocumentElement(), "version");
        Set<String> published = new TreeSet<>();
        for (String module : modules()) {
            String artifact = child(pom(ROOT.resolve(module)).getDocumentElement(), "artifactId");
            if (!NOT_PUBLISHED.contains(artifact)) {
                published.add(artifact);
            }
        }
        Element bom = pom(ROOT.resolve("bom")).getDocumentElement();
        assertEquals(version, child(bom, "version"), "the BOM's own version");
        Set<String> listed = new TreeSet<>();
        NodeList deps = bom.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            assertEquals("org.iscsilab", child(d, "groupId"));
            assertEquals(version, child(d, "version"), child(d, "artifactId"));
            listed.add(child(d, "artifactId"));
        }
        assertEquals(published, listed);
    }
}
