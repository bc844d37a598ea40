package org.iscsilab.it;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The runnable jar the suites start, from the build's one definition of it (the POM's
 * iscsilab.jar).
 */
final class IscsilabJar {
    private IscsilabJar() {}

    static Path path() {
        String p = System.getProperty("iscsilab.jar");
        if (p == null) {
            throw new IllegalStateException(
                    "the iscsilab.jar system property is not set: run the suites through Maven "
                            + "(./mvnw verify), which sets it from the POM");
        }
        Path jar = Path.of(p);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    jar + " does not exist: build it with ./mvnw -pl cli -am package");
        }
        return jar;
    }
}
