package org.iscsilab.guest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

/**
 * Boots a {@link GuestImage} under QEMU and runs one shell script in it against a target on the
 * host's loopback. QEMU's user-mode network maps the guest's 10.0.2.2 to the host's 127.0.0.1, so
 * the target needs no other address; the script gets GUEST_PORTAL and GUEST_TARGET (and any other
 * variables given) and the helpers of guest-lib.sh.
 *
 * <pre>{@code
 * GuestRun run = LinuxGuest.of(GuestImage.ensure("6.1"))
 *         .target(target.address().getPort(), target.iqn())
 *         .script("discover_and_login\nd=$(disk_of_lun 0)\nverify_region $d 0 4\nlogout_all\n")
 *         .onAwait("freeze", r -> target.faults().add("freeze"))
 *         .run();
 * }</pre>
 *
 * A script line {@code await NAME} stops the guest until the handler registered for NAME has run.
 */
public final class LinuxGuest {
    /** The host's loopback as the guest sees it through QEMU's user-mode network. */
    public static final String HOST_FROM_GUEST = "10.0.2.2";

    /** Runs on the host when the guest awaits; the guest resumes when it returns. */
    @FunctionalInterface
    public interface AwaitHandler {
        void handle(GuestRun run) throws Exception;
    }

    private final GuestImage image;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, AwaitHandler> handlers = new HashMap<>();
    private String script = "";
    private Duration timeout = Duration.ofMinutes(3);
    private int memoryMib = 512;
    private Consumer<String> echo = line -> {};

    private LinuxGuest(GuestImage image) {
        this.image = image;
    }

    public static LinuxGuest of(GuestImage image) {
        return new LinuxGuest(image);
    }

    /** The target the script logs in to: GUEST_PORTAL=10.0.2.2:PORT and GUEST_TARGET=IQN. */
    public LinuxGuest target(int port, String iqn) {
        return env("GUEST_PORTAL", HOST_FROM_GUEST + ":" + port).env("GUEST_TARGET", iqn);
    }

    /**
     * A variable for the script (and for the guest's iscsid.conf: GUEST_REPLACEMENT_TIMEOUT,
     * GUEST_*_DIGEST...).
     */
    public LinuxGuest env(String name, String value) {
        if (!name.matches("[A-Z_][A-Z0-9_]*") || value.contains("'")) {
            throw new IllegalArgumentException(
                    "guest variable " + name + "='" + value + "' cannot be passed");
        }
        env.put(name, value);
        return this;
    }

    /**
     * The test script: busy-box shell, run with -e after the helpers of guest-lib.sh are loaded.
     */
    public LinuxGuest script(String text) {
        this.script = text;
        return this;
    }

    public LinuxGuest onAwait(String name, AwaitHandler handler) {
        handlers.put(name, handler);
        return this;
    }

    public LinuxGuest timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    public LinuxGuest memoryMib(int mib) {
        this.memoryMib = mib;
        return this;
    }

    /** Sees every console line as it arrives (to print it live). */
    public LinuxGuest echo(Consumer<String> echo) {
        this.echo = echo;
        return this;
    }

    /** Boots, runs the script to its end (or the timeout) and powers off. */
    public GuestRun run() throws IOException, InterruptedException {
        Path initrd = Files.createTempFile("iscsilab-guest", ".cpio.gz");
        ExecutorService hostSide =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "guest-await");
                            t.setDaemon(true);
                            return t;
                        });
        GuestRun run = new GuestRun();
        Process qemu = null;
        try {
            writeInitrd(initrd);
            qemu = new ProcessBuilder(command(initrd)).redirectErrorStream(true).start();
            Process q = qemu;
            Thread reader = new Thread(() -> read(q, run, hostSide), "guest-console");
            reader.setDaemon(true);
            reader.start();
            boolean finished = qemu.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            reader.join(5_000);
            run.ended(finished ? qemu.exitValue() : -1, !finished);
            return run;
        } finally {
            if (qemu != null && qemu.isAlive()) {
                qemu.destroyForcibly();
            }
            hostSide.shutdownNow();
            Files.deleteIfExists(initrd);
        }
    }

    private void read(Process q, GuestRun run, ExecutorService hostSide) {
        OutputStream toGuest = q.getOutputStream();
        try (BufferedReader in =
                new BufferedReader(
                        new InputStreamReader(q.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                echo.accept(line);
                GuestMarker m = run.accept(line);
                if (m != null && m.kind().equals("AWAIT")) {
                    hostSide.execute(() -> answer(m.arg(0), run, toGuest));
                }
            }
        } catch (IOException e) {
            run.hostError("reading the guest console: " + e.getMessage());
        }
    }

    private void answer(String name, GuestRun run, OutputStream toGuest) {
        AwaitHandler h = handlers.get(name);
        try {
            if (h == null) {
                run.hostError(
                        "the guest awaits '" + name + "' but no handler is registered for it");
            } else {
                h.handle(run);
            }
        } catch (Exception e) {
            run.hostError("handler for '" + name + "' failed: " + e);
        } catch (AssertionError e) {
            run.hostError("handler for '" + name + "': " + e.getMessage());
        }
        try {
            toGuest.write("go\n".getBytes(StandardCharsets.US_ASCII));
            toGuest.flush();
        } catch (IOException e) {
            run.hostError("answering the guest: " + e.getMessage());
        }
    }

    /** The image's initramfs with /test.sh and /test.env appended as a second archive. */
    private void writeInitrd(Path initrd) throws IOException {
        StringBuilder envFile = new StringBuilder();
        env.forEach((k, v) -> envFile.append(k).append("='").append(v).append("'\n"));
        String test =
                ". /lib/guest/guest-lib.sh\n. /test.env\n"
                        + script
                        + (script.endsWith("\n") ? "" : "\n");
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("test.sh", test.getBytes(StandardCharsets.UTF_8));
        files.put("test.env", envFile.toString().getBytes(StandardCharsets.UTF_8));
        try (OutputStream out = Files.newOutputStream(initrd)) {
            try (InputStream base = Files.newInputStream(image.initramfs())) {
                base.transferTo(out);
            }
            GZIPOutputStream gz = new GZIPOutputStream(out);
            gz.write(Cpio.newc(files, Set.of("test.sh")));
            gz.finish();
        }
    }

    private List<String> command(Path initrd) {
        // software emulation by default: nested KVM is often present but broken (MSR writes
        // refused);
        // ISCSILAB_GUEST_ACCEL=kvm asks for it where it works
        String accel = System.getenv().getOrDefault("ISCSILAB_GUEST_ACCEL", "tcg");
        List<String> c = new ArrayList<>(List.of("qemu-system-x86_64"));
        c.addAll(
                List.of(
                        "-accel",
                        accel,
                        "-M",
                        "q35",
                        "-cpu",
                        "max",
                        "-m",
                        String.valueOf(memoryMib),
                        "-smp",
                        "1",
                        "-nodefaults",
                        "-no-user-config",
                        "-display",
                        "none",
                        "-monitor",
                        "none",
                        "-serial",
                        "stdio",
                        "-no-reboot",
                        "-kernel",
                        image.kernel().toString(),
                        "-initrd",
                        initrd.toString(),
                        "-append",
                        "console=ttyS0 panic=-1 quiet",
                        "-netdev",
                        "user,id=n0,ipv6=off",
                        "-device",
                        "virtio-net-pci,netdev=n0,romfile="));
        return c;
    }
}
