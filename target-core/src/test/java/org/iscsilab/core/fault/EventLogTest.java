package org.iscsilab.core.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The event log records from many threads without a lock: every event is read whole, in sequence
 * order, and the ring keeps the newest ones.
 */
class EventLogTest {
    @Test
    void eventsRecordedConcurrentlyAreReadWholeAndInOrderWhileTheRingWraps() throws Exception {
        EventLog log = new EventLog(1000);
        int threads = 4;
        int perThread = 20_000;
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<String> torn = new AtomicReference<>();
        Thread reader =
                new Thread(
                        () -> {
                            while (writing.get() && torn.get() == null) {
                                long previous = 0;
                                for (EventLog.Event e : log.events()) {
                                    // each writer keeps lba = tsih * 1,000,000 + lun and blocks =
                                    // lun: a mix of two events shows
                                    if (e.lba() != e.tsih() * 1_000_000L + e.lun()
                                            || e.blocks() != e.lun()
                                            || e.sequence() <= previous) {
                                        torn.set(e + " after sequence " + previous);
                                    }
                                    previous = e.sequence();
                                }
                            }
                        });
        reader.start();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int tsih = t + 1;
            Thread w =
                    new Thread(
                            () -> {
                                for (int i = 0; i < perThread; i++) {
                                    log.command(
                                            "iqn.w",
                                            tsih,
                                            i,
                                            0x28,
                                            tsih * 1_000_000L + i,
                                            i,
                                            "GOOD",
                                            i);
                                }
                            });
            writers.add(w);
            w.start();
        }
        for (Thread w : writers) {
            w.join();
        }
        writing.set(false);
        reader.join();
        assertEquals(null, torn.get(), "no event read half-written or out of order");
        assertEquals((long) threads * perThread, log.recorded());
        List<EventLog.Event> kept = log.events();
        assertEquals(1000, kept.size(), "the newest events, as many as the ring holds");
        assertEquals((long) threads * perThread, kept.get(kept.size() - 1).sequence());
        for (int i = 1; i < kept.size(); i++) {
            assertTrue(
                    kept.get(i).sequence() == kept.get(i - 1).sequence() + 1,
                    "no gaps among the kept");
        }
    }

    @Test
    void commandTotalsPerOpcodeCountWhatTheRingHasDroppedAndSurviveClear() {
        EventLog log = new EventLog(10);
        for (int i = 0; i < 25; i++) {
            log.command("iqn.a", 1, 0, i % 5 == 0 ? 0x2A : 0x88, i, 1, "GOOD", i);
        }
        log.clear();
        log.login("iqn.a", 1, "SUCCESS", null);
        assertEquals(20, log.commandsRecorded(0x88), "more READ(16)s than the ring holds");
        assertEquals(5, log.commandsRecorded(0x2A));
        assertEquals(0, log.commandsRecorded(0x28));
        assertEquals(1, log.events().size(), "the ring itself was cleared");
    }
}
