package org.iscsilab.guest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The kernel images the harness boots have what kernel/guest.config asks for: every config-VERSION
 * beside them in the kernel directory holds each of its lines.
 */
class GuestKernelConfigTest {
    private static final Path FRAGMENT =
            Path.of(System.getProperty("basedir", ".")).resolve("kernel/guest.config");

    @Test
    void everyKernelConfigInTheKernelDirectoryHasTheGuestOptions() throws Exception {
        Path dir = GuestImage.kernelDir();
        List<Path> configs = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().startsWith("config-"))
                        .forEach(configs::add);
            }
        }
        if (configs.isEmpty()) {
            String why = "no config-VERSION in " + dir + " (" + GuestImage.KERNEL_DIR_ENV + ")";
            if ("1".equals(System.getenv("ISCSILAB_REQUIRE_EXTERNAL"))) {
                fail(why + " and ISCSILAB_REQUIRE_EXTERNAL=1 requires the 4.9 kernel");
            }
            Assumptions.abort(why);
        }
        List<String> wanted =
                Files.readAllLines(FRAGMENT).stream()
                        .filter(
                                l ->
                                        l.startsWith("CONFIG_")
                                                || l.matches("# CONFIG_\\w+ is not set"))
                        .toList();
        assertFalse(wanted.isEmpty());
        for (Path config : configs) {
            Set<String> has = Set.copyOf(Files.readAllLines(config));
            for (String line : wanted) {
                assertTrue(has.contains(line), config + " lacks " + line);
            }
        }
    }
}
