package org.iscsilab.guest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Linux guest image: a Debian cloud kernel and an initramfs with open-iscsi, built by
 * build-guest.sh from Debian's packages into a cache folder and reused while the scripts that built
 * it are unchanged.
 */
public record GuestImage(String series, Path kernel, Path initramfs, String kernelRelease) {
    /** The kernel series the harness knows: Debian 12's cloud kernel, and the 6.12 cloud kernel. */
    public static final List<String> SERIES = List.of("6.1", "6.12");

    private static final List<String> SCRIPTS = List.of("build-guest.sh", "init", "guest-lib.sh");

    /** Host programs building and booting the guest need, with the Debian package of each. */
    public static Map<String, String> hostPrograms() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("qemu-system-x86_64", "qemu-system-x86");
        m.put("iscsiadm", "open-iscsi");
        m.put("modprobe", "kmod");
        m.put("xz", "xz-utils");
        m.put("cpio", "cpio");
        m.put("apt-get", "apt");
        return m;
    }

    /** ISCSILAB_GUEST_CACHE, or ~/.cache/iscsilab/guest. */
    public static Path defaultCache() {
        String env = System.getenv("ISCSILAB_GUEST_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "iscsilab", "guest");
    }

    public static GuestImage ensure(String series) throws IOException, InterruptedException {
        return ensure(series, defaultCache());
    }

    /** Builds the image of a kernel series into {@code cache} unless it is there already. */
    public static GuestImage ensure(String series, Path cache)
            throws IOException, InterruptedException {
        if (!SERIES.contains(series)) {
            throw new IllegalArgumentException(
                    "unknown kernel series '" + series + "'; use one of " + SERIES);
        }
        Path scripts = cache.resolve("scripts");
        Files.createDirectories(scripts);
        for (String name : SCRIPTS) {
            try (InputStream in = GuestImage.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IOException(
                            "guest script " + name + " is missing from the class path");
                }
                Files.copy(in, scripts.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Process p =
                new ProcessBuilder(
                                "bash",
                                scripts.resolve("build-guest.sh").toString(),
                                series,
                                cache.toString())
                        .redirectErrorStream(true)
                        .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new GuestException(
                    "building the " + series + " guest took over 10 minutes:\n" + output);
        }
        if (p.exitValue() != 0) {
            throw new GuestException(
                    "building the "
                            + series
                            + " guest failed (exit "
                            + p.exitValue()
                            + "):\n"
                            + output);
        }
        Path dir = cache.resolve(series);
        return new GuestImage(
                series,
                dir.resolve("vmlinuz"),
                dir.resolve("initramfs.cpio.gz"),
                Files.readString(dir.resolve("kernel-release")).trim());
    }
}
