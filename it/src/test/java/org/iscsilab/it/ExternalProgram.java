package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs real initiator programs. A missing program skips the test on a developer machine but fails
 * it when ISCSILAB_REQUIRE_EXTERNAL=1 (as CI sets), so CI can never pass by skipping.
 */
final class ExternalProgram {
    static final String REQUIRE_ENV = "ISCSILAB_REQUIRE_EXTERNAL";

    record Result(int exitCode, String output) {}

    private ExternalProgram() {}

    /** Makes sure a program is on PATH; {@code debianPackage} names what installs it. */
    static void require(String program, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return;
            }
        }
        String message = program + " is not installed (apt-get install " + debianPackage + ")";
        if ("1".equals(System.getenv(REQUIRE_ENV))) {
            fail(message + " and " + REQUIRE_ENV + "=1 requires it");
        }
        Assumptions.abort(message);
    }

    static Result run(Duration timeout, String... command)
            throws IOException, InterruptedException {
        return run(timeout, List.of(command));
    }

    static Result run(Duration timeout, List<String> command)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("iscsilab-it", ".log");
        try {
            Process p =
                    new ProcessBuilder(new ArrayList<>(command))
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                fail(
                        String.join(" ", command)
                                + " did not finish within "
                                + timeout
                                + ":\n"
                                + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Runs and asserts exit code 0, returning the output. */
    static String ok(Duration timeout, String... command) throws IOException, InterruptedException {
        Result r = run(timeout, command);
        if (r.exitCode() != 0) {
            fail(String.join(" ", command) + " exited " + r.exitCode() + ":\n" + r.output());
        }
        return r.output();
    }
}
