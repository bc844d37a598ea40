package org.iscsilab.iscsi.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Executor;
import org.iscsilab.target.lu.LogicalUnit;
import org.iscsilab.target.lu.LogicalUnitIdentity;
import org.iscsilab.target.lu.UnitFormat;
import org.iscsilab.target.store.BackingStore;
import org.iscsilab.target.store.FileStore;
import org.iscsilab.target.store.NullStore;
import org.iscsilab.target.store.RamStore;
import org.iscsilab.target.store.Sizes;

/**
 * A LUN as written on the command line: {@code ram:SIZE}, {@code null:SIZE} or
 * {@code file:PATH[:SIZE]}, then options {@code ,block=512|4096}, {@code ,physical=BYTES} (a power of
 * two, reported as logical blocks per physical block), {@code ,ro}, {@code ,thin} and {@code ,removable}.
 */
public record LunSpec(String kind, Path path, long size, int blockSize, boolean readOnly, boolean thin,
                      int physicalBlockSize, boolean removable) {

    public LunSpec(String kind, Path path, long size, int blockSize, boolean readOnly) {
        this(kind, path, size, blockSize, readOnly, false, blockSize, false);
    }

    public LunSpec(String kind, Path path, long size, int blockSize, boolean readOnly, boolean thin,
                   int physicalBlockSize) {
        this(kind, path, size, blockSize, readOnly, thin, physicalBlockSize, false);
    }

    public static LunSpec parse(String text) {
        String[] parts = text.split(",");
        String store = parts[0];
        int block = 512;
        boolean ro = false;
        boolean thin = false;
        int physical = 0;
        boolean removable = false;
        for (int i = 1; i < parts.length; i++) {
            String opt = parts[i].trim();
            if (opt.equals("ro")) {
                ro = true;
            } else if (opt.equals("thin")) {
                thin = true;
            } else if (opt.equals("removable")) {
                removable = true;
            } else if (opt.startsWith("physical=")) {
                try {
                    physical = (int) Sizes.parse(opt.substring(9));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("LUN '" + text + "': " + e.getMessage());
                }
            } else if (opt.startsWith("block=")) {
                String v = opt.substring(6);
                if (!v.equals("512") && !v.equals("4096")) {
                    throw new IllegalArgumentException("LUN '" + text + "': block must be 512 or 4096, not " + v);
                }
                block = Integer.parseInt(v);
            } else {
                throw new IllegalArgumentException("LUN '" + text + "': unknown option '" + opt
                        + "' (known: block=512|4096, physical=BYTES, ro, thin, removable)");
            }
        }
        if (physical == 0) {
            physical = block;
        }
        if (physical < block || Integer.bitCount(physical) != 1) {
            throw new IllegalArgumentException("LUN '" + text + "': physical must be a power of two of at least the "
                    + "block size " + block + ", not " + physical);
        }
        int colon = store.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("LUN '" + text + "' needs a kind and a size, e.g. ram:1G, null:1T or "
                    + "file:/path/disk.img:1G");
        }
        String kind = store.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = store.substring(colon + 1);
        try {
            return switch (kind) {
                case "ram", "null" -> new LunSpec(kind, null, Sizes.parse(rest), block, ro, thin, physical, removable);
                case "file" -> {
                    int sizeAt = rest.lastIndexOf(':');
                    if (sizeAt > 0 && rest.substring(sizeAt + 1).matches("\\d+[KkMmGgTtPp]?")) {
                        yield new LunSpec(kind, Path.of(rest.substring(0, sizeAt)), Sizes.parse(rest.substring(sizeAt + 1)),
                                block, ro, thin, physical, removable);
                    }
                    if (rest.isEmpty()) {
                        throw new IllegalArgumentException("LUN '" + text + "': file: needs a path");
                    }
                    yield new LunSpec(kind, Path.of(rest), 0, block, ro, thin, physical, removable);
                }
                default -> throw new IllegalArgumentException("LUN '" + text + "': unknown kind '" + kind
                        + "' (known: ram, file, null)");
            };
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith("LUN '")) {
                throw e;
            }
            throw new IllegalArgumentException("LUN '" + text + "': " + e.getMessage());
        }
    }

    public BackingStore openStore() throws IOException {
        return switch (kind) {
            case "ram" -> new RamStore(size);
            case "null" -> new NullStore(size);
            case "file" -> new FileStore(path, size, readOnly);
            default -> throw new IllegalStateException(kind);
        };
    }

    public LogicalUnit create(int lun, String targetName, Executor io) throws IOException {
        BackingStore store = openStore();
        if (store.capacityBytes() < blockSize) {
            store.close();
            throw new IllegalArgumentException("LUN " + lun + " is smaller than one " + blockSize + "-byte block");
        }
        return new LogicalUnit(lun, LogicalUnitIdentity.derive(targetName, lun), store,
                new UnitFormat(blockSize, physicalBlockSize, readOnly, thin, removable), io);
    }
}
