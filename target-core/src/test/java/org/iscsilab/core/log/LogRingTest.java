package org.iscsilab.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.helpers.NOPLogger;

/** What the target logs is kept for a reader who marks where a test began. */
class LogRingTest {
    private final LogRing ring = new LogRing(4);

    @Test
    void aReaderGetsTheLinesWrittenSinceItsMarkOldestFirst() {
        ring.add(Instant.EPOCH, "INFO", "A", "before");
        long mark = ring.mark();
        ring.add(Instant.EPOCH, "WARN", "B", "first");
        ring.add(Instant.EPOCH, "INFO", "C", "second");

        List<String> lines = ring.since(mark);

        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).endsWith("WARN B - first"), lines.get(0));
        assertTrue(lines.get(1).endsWith("INFO C - second"), lines.get(1));
    }

    @Test
    void linesTheRingNoLongerHoldsAreCountedNotInvented() {
        long mark = ring.mark();
        for (int i = 0; i < 10; i++) {
            ring.add(Instant.EPOCH, "INFO", "A", "line " + i);
        }

        List<String> lines = ring.since(mark);

        assertEquals("(6 earlier lines are no longer kept)", lines.get(0));
        assertEquals(5, lines.size());
        assertTrue(lines.get(4).endsWith("line 9"), lines.get(4));
    }

    @Test
    void infoAndAboveAreKeptEvenWhenTheBackendDropsThem() {
        Logger log = new RecordingLogger(NOPLogger.NOP_LOGGER, ring);
        long mark = ring.mark();

        log.debug("not kept: the backend has debug off {}", 1);
        log.info("LUN {} added", 3);
        log.warn("closing {}", "conn", new IOException("reset by peer"));

        List<String> lines = ring.since(mark);
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).endsWith("INFO NOP - LUN 3 added"), lines.get(0));
        assertTrue(
                lines.get(1).contains("WARN NOP - closing conn (")
                        && lines.get(1).endsWith("IOException: reset by peer)"),
                lines.get(1));
    }
}
