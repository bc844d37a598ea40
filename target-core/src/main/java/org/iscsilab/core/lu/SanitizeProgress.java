package org.iscsilab.core.lu;

import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseKey;

/**
 * A sanitize operation in progress: when it started and how long it lasts, for the progress
 * indication; {@code finished} completes once the unit serves commands again.
 */
public record SanitizeProgress(
        long startNanos, long durationNanos, CompletableFuture<Void> finished) {

    /**
     * NOT READY, SANITIZE IN PROGRESS with the PROGRESS INDICATION (SPC-5 §4.4.2.4.4) as a fraction
     * of 65536.
     */
    public SenseData sense() {
        long elapsed = System.nanoTime() - startNanos;
        int progress =
                durationNanos <= 0
                        ? 0xFFFF
                        : (int) Math.min(0xFFFF, elapsed * 65536 / durationNanos);
        return new SenseData(
                SenseKey.NOT_READY,
                AdditionalSense.SANITIZE_IN_PROGRESS,
                OptionalLong.empty(),
                null,
                progress);
    }
}
