package org.iscsilab.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.iscsilab.core.store.Sizes;

/**
 * The sizes of the I/Os of a run and how often each is used, like fio's bssplit: {@code 4k} (every
 * I/O 4 KiB) or {@code 4k:70,64k:20,1m:10} (70% of the I/Os 4 KiB, 20% 64 KiB, 10% 1 MiB). The
 * percentages must add up to 100.
 */
public record BlockSizeMix(List<Share> shares) {
    /** The largest I/O the command line accepts. */
    public static final int MAX_SIZE = 64 << 20;

    /** One size of the mix and its share of the I/Os in percent. */
    public record Share(int size, int percent) {}

    public BlockSizeMix {
        shares = List.copyOf(shares);
        if (shares.isEmpty()) {
            throw new IllegalArgumentException("give at least one block size");
        }
        int sum = 0;
        for (Share s : shares) {
            if (s.size() < 512 || s.size() % 512 != 0 || s.size() > MAX_SIZE) {
                throw new IllegalArgumentException(
                        "give multiples of 512 bytes up to 64m, e.g. 4k, not " + s.size());
            }
            if (s.percent() < 1 || s.percent() > 100) {
                throw new IllegalArgumentException(
                        "a share is 1 to 100 percent, not " + s.percent());
            }
            sum += s.percent();
        }
        if (sum != 100) {
            throw new IllegalArgumentException("the shares add up to " + sum + "%, not 100%");
        }
    }

    /** Every I/O of one size. */
    public static BlockSizeMix of(int size) {
        return new BlockSizeMix(List.of(new Share(size, 100)));
    }

    /** {@code SIZE} or {@code SIZE:PERCENT,SIZE:PERCENT,...}. */
    public static BlockSizeMix parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("give a size like 4k or a mix like 4k:70,64k:30");
        }
        String[] parts = text.split(",", -1);
        List<Share> shares = new ArrayList<>();
        for (String part : parts) {
            int colon = part.indexOf(':');
            if (colon < 0 && parts.length > 1) {
                throw new IllegalArgumentException(
                        "'" + part + "' has no share: write a mix as 4k:70,64k:30");
            }
            String size = colon < 0 ? part : part.substring(0, colon);
            int percent = 100;
            if (colon >= 0) {
                try {
                    percent = Integer.parseInt(part.substring(colon + 1).strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "'" + part + "': the share after ':' is a whole percentage");
                }
            }
            long bytes = Sizes.parse(size.strip());
            if (bytes > MAX_SIZE) {
                throw new IllegalArgumentException(
                        "give multiples of 512 bytes up to 64m, e.g. 4k, not " + size);
            }
            shares.add(new Share((int) bytes, percent));
        }
        return new BlockSizeMix(shares);
    }

    /** The index of the share an I/O uses, drawn by the shares' percentages. */
    public int pick(SplittableRandom random) {
        if (shares.size() == 1) {
            return 0;
        }
        int r = random.nextInt(100);
        for (int i = 0; i < shares.size(); i++) {
            r -= shares.get(i).percent();
            if (r < 0) {
                return i;
            }
        }
        return shares.size() - 1;
    }

    public int size(int index) {
        return shares.get(index).size();
    }

    /** The one size of a single-size run, or null for a mix. */
    public Integer single() {
        return shares.size() == 1 ? shares.get(0).size() : null;
    }

    public int largest() {
        return shares.stream().mapToInt(Share::size).max().orElseThrow();
    }

    /** "4k" or "4k:70,64k:20,1m:10". */
    public String label() {
        if (shares.size() == 1) {
            return sizeLabel(shares.get(0).size());
        }
        List<String> parts = new ArrayList<>();
        for (Share s : shares) {
            parts.add(sizeLabel(s.size()) + ":" + s.percent());
        }
        return String.join(",", parts);
    }

    static String sizeLabel(int bytes) {
        if (bytes % (1 << 20) == 0) {
            return (bytes >> 20) + "m";
        }
        if (bytes % 1024 == 0) {
            return (bytes >> 10) + "k";
        }
        return bytes + "b";
    }
}
