package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
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
                                + output(log));
            }
            return new Result(p.exitValue(), output(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Output kept whole up to this size; beyond it, its start and its end (a runaway program). */
    static final long MAX_OUTPUT = 64L << 20;

    private static final int KEPT = 4 << 20;

    /** The program's output, or its first and last 4 MiB when it wrote more than 64 MiB. */
    static String output(Path log) throws IOException {
        long size = Files.size(log);
        if (size <= MAX_OUTPUT) {
            return Files.readString(log, StandardCharsets.UTF_8);
        }
        byte[] head = new byte[KEPT];
        byte[] tail = new byte[KEPT];
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            f.readFully(head);
            f.seek(size - KEPT);
            f.readFully(tail);
        }
        return new String(head, StandardCharsets.UTF_8)
                + "\n[... "
                + (size - 2L * KEPT)
                + " bytes of output left out ...]\n"
                + new String(tail, StandardCharsets.UTF_8);
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
