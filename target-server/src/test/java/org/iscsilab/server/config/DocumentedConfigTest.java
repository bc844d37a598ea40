package org.iscsilab.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.iscsilab.server.TargetRuntime;
import org.junit.jupiter.api.Test;

/** The configuration example in docs/target.md runs as written, with the variables it exports. */
class DocumentedConfigTest {
    private static final Path PAGE =
            Path.of(System.getProperty("basedir", "."))
                    .toAbsolutePath()
                    .resolveSibling("docs")
                    .resolve("target.md");

    @Test
    void theDocumentedExampleStartsTheTargetsItDescribes() throws Exception {
        String page = Files.readString(PAGE);
        Matcher yaml =
                Pattern.compile(
                                "<!-- example: target.yaml -->\\s*```yaml\\n(.*?)```",
                                Pattern.DOTALL)
                        .matcher(page);
        assertTrue(yaml.find(), "docs/target.md has no marked target.yaml example");
        Map<String, String> env = new HashMap<>();
        Matcher export = Pattern.compile("(?m)^export (\\w+)=(\\S+)$").matcher(page);
        while (export.find()) {
            env.put(export.group(1), export.group(2));
        }
        TargetConfig cfg = ConfigFile.parse("target.yaml", yaml.group(1), env::get).withDefaults();
        Path file = Path.of("disks-a.img");
        try (TargetRuntime runtime = TargetRuntime.start(cfg)) {
            assertEquals(2, runtime.devices().size());
            assertEquals(2, runtime.devices().get(0).logicalUnits().size());
            assertEquals(4096, runtime.devices().get(0).logicalUnit(1).blockSize());
            assertEquals(1, runtime.initialFaults().size());
            assertEquals("http://127.0.0.1:9260/api/v1/", runtime.adminUrl());
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
