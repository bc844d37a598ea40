package org.iscsilab.iscsi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects the buffer leaks Netty's detector reports (the build runs it at paranoid level, so every
 * buffer is tracked). A leak is reported once the leaked buffer has been garbage collected and the
 * detector runs again, so {@link #assertNoLeaks} collects garbage and allocates first.
 */
public final class LeakWatch {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    private LeakWatch() {}

    public static void install() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ByteBufUtil.setLeakListener((type, records) -> LEAKS.add(type + "\n" + records));
    }

    /** Forces the detector to look, and fails with every leak's access records if it found one. */
    public static void assertNoLeaks() {
        List<String> found = collect();
        if (!found.isEmpty()) {
            throw new AssertionError(
                    found.size() + " buffer leak(s):\n" + String.join("\n---\n", found));
        }
    }

    /** The leaks reported so far, after giving the detector its chance; clears them. */
    public static List<String> collect() {
        for (int round = 0; round < 5; round++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (int i = 0; i < 100; i++) {
                ByteBuf b =
                        ByteBufAllocator.DEFAULT.directBuffer(
                                16); // each allocation polls the detector
                b.release();
                ByteBufAllocator.DEFAULT.heapBuffer(16).release();
            }
        }
        List<String> found = List.copyOf(LEAKS);
        LEAKS.clear();
        return found;
    }
}
