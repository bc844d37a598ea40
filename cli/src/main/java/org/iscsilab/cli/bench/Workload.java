package org.iscsilab.cli.bench;

import java.util.Locale;

/** fio's workload names: sequential or random, reads, writes or a read/write mix. */
public enum Workload {
    READ(false, 100),
    WRITE(false, 0),
    RW(false, -1),
    RANDREAD(true, 100),
    RANDWRITE(true, 0),
    RANDRW(true, -1);

    private final boolean random;
    private final int fixedReadPercent;

    Workload(boolean random, int fixedReadPercent) {
        this.random = random;
        this.fixedReadPercent = fixedReadPercent;
    }

    public boolean random() {
        return random;
    }

    /** Reads in percent: fixed for pure workloads, the mix given for rw and randrw. */
    public int readPercent(int mix) {
        return fixedReadPercent >= 0 ? fixedReadPercent : mix;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Workload parse(String text) {
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown workload '"
                            + text
                            + "'; use read, write, rw, randread, randwrite or randrw");
        }
    }
}
