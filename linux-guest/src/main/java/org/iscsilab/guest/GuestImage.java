package org.iscsilab.guest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Linux guest image: a kernel and an initramfs with open-iscsi, built by build-guest.sh into a
 * cache folder and reused while the scripts that built it (and the kernel) are unchanged. The
 * kernel is a Debian cloud kernel with its modules (6.1, 6.12), or an image with the initiator
 * built in taken from the kernel directory (4.9) or given by path.
 *
 * @param sdevStateOffset where {@code sdev_state} lies in the kernel's {@code struct scsi_device},
 *     for kprobe events that read device states; -1 when not known (traced without states)
 */
public record GuestImage(
        String series, Path kernel, Path initramfs, String kernelRelease, int sdevStateOffset) {
    /**
     * The kernel series the harness knows: Debian 12's cloud kernel, the 6.12 cloud kernel, 4.9,
     * whose last LTS still has the 4.11 mid-layer of the 2017 thread (an image from the kernel
     * directory), and 6.1-multipath: Debian 12's generic kernel (the cloud flavour has no SCSI
     * device handlers) with dm-multipath, multipath-tools and udev.
     */
    public static final List<String> SERIES = List.of("6.1", "6.12", "4.9", "6.1-multipath");

    /** Where kernel images with everything built in are looked for (bzImage-4.9.337, ...). */
    public static final String KERNEL_DIR_ENV = "ISCSILAB_KERNEL_DIR";

    /** Series whose kernel is an image from the kernel directory, not a Debian package. */
    private static final List<String> IMAGE_SERIES = List.of("4.9");

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

    /** ISCSILAB_KERNEL_DIR, or ~/.cache/iscsilab/kernels. */
    public static Path kernelDir() {
        String env = System.getenv(KERNEL_DIR_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "iscsilab", "kernels");
    }

    public static GuestImage ensure(String series) throws IOException, InterruptedException {
        return ensure(series, defaultCache());
    }

    /**
     * The newest image of a series in the kernel directory, bzImage-SERIES.N; a clear error naming
     * the directory and how to fill it when there is none.
     */
    public static Path kernelImageOf(String series) throws IOException {
        Path dir = kernelDir();
        String prefix = "bzImage-" + series + ".";
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                Optional<Path> newest =
                        files.filter(f -> f.getFileName().toString().startsWith(prefix))
                                .filter(f -> !f.getFileName().toString().contains(".sdev"))
                                .max(Comparator.comparing(GuestImage::releaseOrder));
                if (newest.isPresent()) {
                    return newest.get();
                }
            }
        }
        throw new GuestException(
                "no "
                        + prefix
                        + "* kernel image in "
                        + dir
                        + " ("
                        + KERNEL_DIR_ENV
                        + "); build one with linux-guest/kernel/build-kernel.sh (docs/linux-guest.md)"
                        + " or give one with --kernel-image FILE");
    }

    /** bzImage-4.9.337 before bzImage-4.9.1000: numeric parts compared as numbers. */
    private static String releaseOrder(Path f) {
        StringBuilder key = new StringBuilder();
        for (String part : f.getFileName().toString().split("[.-]")) {
            key.append(part.matches("\\d+") ? String.format("%010d", Long.parseLong(part)) : part)
                    .append('.');
        }
        return key.toString();
    }

    /** The guest of a kernel image with the initiator built in, cached under the default cache. */
    public static GuestImage ofKernelImage(Path file) throws IOException, InterruptedException {
        return ofKernelImage(file, defaultCache());
    }

    /** The guest of a kernel image with the initiator built in: no modules in its initramfs. */
    public static GuestImage ofKernelImage(Path file, Path cache)
            throws IOException, InterruptedException {
        KernelImage k = KernelImage.read(file);
        Path dest = cache.resolve("image-" + k.release() + "-" + k.sha256().substring(0, 12));
        build(
                cache,
                k.release() + " image",
                "--image",
                file.toAbsolutePath().toString(),
                dest.toString(),
                k.release());
        return new GuestImage(
                k.series(),
                dest.resolve("vmlinuz"),
                dest.resolve("initramfs.cpio.gz"),
                Files.readString(dest.resolve("kernel-release")).trim(),
                k.sdevStateOffset().orElse(-1));
    }

    /** Builds the image of a kernel series into {@code cache} unless it is there already. */
    public static GuestImage ensure(String series, Path cache)
            throws IOException, InterruptedException {
        if (!SERIES.contains(series)) {
            throw new IllegalArgumentException(
                    "unknown kernel series '" + series + "'; use one of " + SERIES);
        }
        if (IMAGE_SERIES.contains(series)) {
            return ofKernelImage(kernelImageOf(series), cache);
        }
        build(cache, series, series, cache.toString());
        Path dir = cache.resolve(series);
        return new GuestImage(
                series,
                dir.resolve("vmlinuz"),
                dir.resolve("initramfs.cpio.gz"),
                Files.readString(dir.resolve("kernel-release")).trim(),
                -1);
    }

    /** Runs build-guest.sh with {@code args}, its scripts copied into {@code cache} first. */
    private static void build(Path cache, String what, String... args)
            throws IOException, InterruptedException {
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
        List<String> command =
                new ArrayList<>(List.of("bash", scripts.resolve("build-guest.sh").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new GuestException(
                    "building the " + what + " guest took over 10 minutes:\n" + output);
        }
        if (p.exitValue() != 0) {
            throw new GuestException(
                    "building the "
                            + what
                            + " guest failed (exit "
                            + p.exitValue()
                            + "):\n"
                            + output);
        }
    }
}
