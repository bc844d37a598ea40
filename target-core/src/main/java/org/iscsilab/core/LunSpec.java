package org.iscsilab.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executor;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.LogicalUnitIdentity;
import org.iscsilab.core.lu.UnitFormat;
import org.iscsilab.core.store.BackingStore;
import org.iscsilab.core.store.FileStore;
import org.iscsilab.core.store.NullStore;
import org.iscsilab.core.store.OverlayStore;
import org.iscsilab.core.store.RamStore;
import org.iscsilab.core.store.Sizes;

/**
 * A LUN as written on the command line: {@code ram:SIZE}, {@code null:SIZE} or {@code
 * file:PATH[:SIZE]}, then options: {@code ,block=512|4096}, {@code ,physical=BYTES} (a power of
 * two, reported as logical blocks per physical block), {@code ,ro}, {@code ,thin}, {@code
 * ,removable}, {@code ,sanitize=SECONDS} (how long a SANITIZE stays in progress), for an existing
 * file {@code ,overlay} (writes go to a scratch layer a reset drops; the file never changes) and
 * for a file {@code ,direct} (O_DIRECT: data bypasses the page cache).
 */
public record LunSpec(
        String kind, Path path, long size, UnitFormat format, boolean overlay, boolean direct) {

    /** A spec without O_DIRECT. */
    public LunSpec(String kind, Path path, long size, UnitFormat format, boolean overlay) {
        this(kind, path, size, format, overlay, false);
    }

    /** The stores a spec may name. */
    public static final String KINDS = "ram:SIZE | null:SIZE | file:PATH[:SIZE]";

    /** The options that may follow the store, each after a comma. */
    public static final String OPTIONS =
            "block=512|4096, physical=BYTES, ro, thin, removable, sanitize=SECONDS, overlay, direct";

    /** The whole syntax, for help texts and messages: the one list of kinds and options. */
    public static final String SYNTAX = KINDS + ", then any of ," + OPTIONS;

    /** The LUN a target serves when none is given. */
    public static final String DEFAULT = "ram:1G";

    public static LunSpec parse(String text) {
        String[] parts = text.split(",");
        String store = parts[0];
        int block = 512;
        int physical = 0;
        boolean ro = false;
        boolean thin = false;
        boolean removable = false;
        boolean overlay = false;
        boolean direct = false;
        Duration sanitize = UnitFormat.DEFAULT_SANITIZE_DURATION;
        for (int i = 1; i < parts.length; i++) {
            String opt = parts[i].trim();
            try {
                if (opt.equals("ro")) {
                    ro = true;
                } else if (opt.equals("thin")) {
                    thin = true;
                } else if (opt.equals("removable")) {
                    removable = true;
                } else if (opt.equals("overlay")) {
                    overlay = true;
                } else if (opt.equals("direct")) {
                    direct = true;
                } else if (opt.startsWith("block=")) {
                    String v = opt.substring(6);
                    if (!v.equals("512") && !v.equals("4096")) {
                        throw new IllegalArgumentException("block must be 512 or 4096, not " + v);
                    }
                    block = Integer.parseInt(v);
                } else if (opt.startsWith("physical=")) {
                    physical = (int) Sizes.parse(opt.substring(9));
                } else if (opt.startsWith("sanitize=")) {
                    sanitize = Duration.ofSeconds(Long.parseLong(opt.substring(9)));
                } else {
                    throw new IllegalArgumentException(
                            "unknown option '" + opt + "' (known: " + OPTIONS + ")");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "LUN '" + text + "': '" + opt + "' needs a number");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("LUN '" + text + "': " + e.getMessage());
            }
        }
        if (physical == 0) {
            physical = block;
        }
        if (physical < block || Integer.bitCount(physical) != 1) {
            throw new IllegalArgumentException(
                    "LUN '"
                            + text
                            + "': physical must be a power of two of at least the "
                            + "block size "
                            + block
                            + ", not "
                            + physical);
        }
        UnitFormat format = new UnitFormat(block, physical, ro, thin, removable, sanitize);
        int colon = store.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(
                    "LUN '"
                            + text
                            + "' needs a kind and a size, e.g. ram:1G, null:1T or "
                            + "file:/path/disk.img:1G");
        }
        String kind = store.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = store.substring(colon + 1);
        try {
            LunSpec spec =
                    switch (kind) {
                        case "ram", "null" ->
                                new LunSpec(kind, null, Sizes.parse(rest), format, false);
                        case "file" -> file(rest, format, overlay, direct);
                        default ->
                                throw new IllegalArgumentException(
                                        "unknown kind '" + kind + "' (known: ram, file, null)");
                    };
            if (overlay && !kind.equals("file")) {
                throw new IllegalArgumentException(
                        "overlay is for file LUNs: it keeps a file unchanged under a scratch"
                                + " layer; a "
                                + kind
                                + " LUN has no file");
            }
            if (direct && !kind.equals("file")) {
                throw new IllegalArgumentException(
                        "direct (O_DIRECT) is for file LUNs; a " + kind + " LUN has no file");
            }
            if (direct && overlay) {
                throw new IllegalArgumentException(
                        "direct and overlay together: an overlay keeps its writes in memory");
            }
            if (overlay && ro) {
                throw new IllegalArgumentException(
                        "overlay and ro together: a read-only LUN never writes its file already");
            }
            spec.checkSize();
            return spec;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("LUN '" + text + "': " + e.getMessage());
        }
    }

    private static LunSpec file(String rest, UnitFormat format, boolean overlay, boolean direct) {
        int sizeAt = rest.lastIndexOf(':');
        Path path;
        long size = 0;
        if (sizeAt > 0 && rest.substring(sizeAt + 1).matches("\\d+[KkMmGgTtPp]?")) {
            path = Path.of(rest.substring(0, sizeAt));
            size = Sizes.parse(rest.substring(sizeAt + 1));
        } else if (rest.isEmpty()) {
            throw new IllegalArgumentException(
                    "file: needs a path, e.g. file:/var/tmp/disk.img:1G");
        } else {
            path = Path.of(rest);
        }
        return new LunSpec("file", path, size, format, overlay, direct);
    }

    /**
     * Checks what the file system must offer this LUN, before anything is created: a file LUN's
     * path is not a directory, its directory exists, and a file that does not exist yet has a size
     * to be created with. Errors name the spec.
     */
    public LunSpec requireUsable() {
        if (!kind.equals("file")) {
            return this;
        }
        String problem = null;
        if (Files.isDirectory(path)) {
            problem = path + " is a directory; name a file in it";
        } else if (!Files.exists(path) && overlay) {
            problem = path + " does not exist; an overlay lies over an existing file";
        } else if (!Files.exists(path)) {
            Path dir = path.toAbsolutePath().getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                problem =
                        "directory " + dir + " does not exist; create it or name a file elsewhere";
            } else if (size == 0) {
                problem =
                        path
                                + " does not exist; give a size to create it, e.g. file:"
                                + path
                                + ":1G";
            }
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return this;
    }

    /** A size must be at least one block and a whole number of blocks (0: a file's own size). */
    private void checkSize() {
        int block = format.blockSize();
        if (!kind.equals("file") && size <= 0) {
            throw new IllegalArgumentException("the size must be positive, e.g. " + kind + ":1G");
        }
        if (size % block != 0) {
            throw new IllegalArgumentException(
                    "the size "
                            + size
                            + " is not a whole number of "
                            + block
                            + "-byte blocks; e.g. "
                            + (size / block + 1) * block);
        }
    }

    /**
     * The file that creating this LUN would create, so a start or a request that fails can remove
     * it again; null when the LUN is not a file or its file exists already.
     */
    public Path fileToCreate() {
        return kind.equals("file") && !Files.exists(path) ? path : null;
    }

    public BackingStore openStore() throws IOException {
        return switch (kind) {
            case "ram" -> new RamStore(size);
            case "null" -> new NullStore(size);
            case "file" -> overlay ? new OverlayStore(path, size) : openFile();
            default -> throw new IllegalStateException(kind);
        };
    }

    /**
     * A file store; with direct, refused (IOException) where the file system refuses O_DIRECT or
     * its block size does not divide the LUN's blocks.
     */
    private BackingStore openFile() throws IOException {
        FileStore f = new FileStore(path, size, format.readOnly(), direct);
        int blockSize = format.blockSize();
        if (f.directAlignment() > blockSize) {
            f.close();
            throw new IOException(
                    path
                            + ": O_DIRECT (direct) here needs blocks of at least the file system's"
                            + " block size "
                            + f.directAlignment()
                            + " bytes, not "
                            + blockSize
                            + "; add block="
                            + f.directAlignment());
        }
        return f;
    }

    public LogicalUnit create(int lun, String targetName, Executor io) throws IOException {
        BackingStore store = openStore();
        if (store.capacityBytes() < format.blockSize()) {
            store.close();
            throw new IllegalArgumentException(
                    "LUN " + lun + " is smaller than one " + format.blockSize() + "-byte block");
        }
        return LogicalUnits.create(
                lun, LogicalUnitIdentity.derive(targetName, lun), store, format, io);
    }
}
