package org.iscsilab.core;

import java.io.IOException;
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
import org.iscsilab.core.store.RamStore;
import org.iscsilab.core.store.Sizes;

/**
 * A LUN as written on the command line: {@code ram:SIZE}, {@code null:SIZE} or {@code
 * file:PATH[:SIZE]}, then options: {@code ,block=512|4096}, {@code ,physical=BYTES} (a power of
 * two, reported as logical blocks per physical block), {@code ,ro}, {@code ,thin}, {@code
 * ,removable} and {@code ,sanitize=SECONDS} (how long a SANITIZE stays in progress).
 */
public record LunSpec(String kind, Path path, long size, UnitFormat format) {

    /** The stores a spec may name. */
    public static final String KINDS = "ram:SIZE | null:SIZE | file:PATH[:SIZE]";

    /** The options that may follow the store, each after a comma. */
    public static final String OPTIONS =
            "block=512|4096, physical=BYTES, ro, thin, removable, sanitize=SECONDS";

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
            return switch (kind) {
                case "ram", "null" -> new LunSpec(kind, null, Sizes.parse(rest), format);
                case "file" -> {
                    int sizeAt = rest.lastIndexOf(':');
                    if (sizeAt > 0 && rest.substring(sizeAt + 1).matches("\\d+[KkMmGgTtPp]?")) {
                        yield new LunSpec(
                                kind,
                                Path.of(rest.substring(0, sizeAt)),
                                Sizes.parse(rest.substring(sizeAt + 1)),
                                format);
                    }
                    if (rest.isEmpty()) {
                        throw new IllegalArgumentException("file: needs a path");
                    }
                    yield new LunSpec(kind, Path.of(rest), 0, format);
                }
                default ->
                        throw new IllegalArgumentException(
                                "unknown kind '" + kind + "' (known: ram, file, null)");
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("LUN '" + text + "': " + e.getMessage());
        }
    }

    public BackingStore openStore() throws IOException {
        return switch (kind) {
            case "ram" -> new RamStore(size);
            case "null" -> new NullStore(size);
            case "file" -> new FileStore(path, size, format.readOnly());
            default -> throw new IllegalStateException(kind);
        };
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
