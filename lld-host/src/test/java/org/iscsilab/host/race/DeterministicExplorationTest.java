package org.iscsilab.host.race;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.iscsilab.host.mid.Policy;
import org.junit.jupiter.api.Test;

/**
 * The race explorer decides nothing by timers: two explorations of every race under every policy
 * give the same table, one of them with both cores kept busy by other threads.
 */
class DeterministicExplorationTest {
    private static List<String> table() throws InterruptedException {
        List<String> rows = new ArrayList<>();
        for (Policy p : Policy.values()) {
            for (boolean mutex : new boolean[] {false, true}) {
                rows.add(InterleavingExplorer.blockVersusRemoval(p, mutex).toString());
                rows.add(InterleavingExplorer.unblockVersusRemoval(p, mutex).toString());
                rows.add(InterleavingExplorer.moduleGoingVersusUnblock(p, mutex).toString());
                rows.add(InterleavingExplorer.lateUnblockVersusModuleExit(p, mutex).toString());
            }
        }
        return rows;
    }

    @Test
    void theSameTablesOnAQuietAndOnABusyMachine() throws Exception {
        List<String> quiet = table();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> load = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread t =
                    new Thread(
                            () -> {
                                long x = 0;
                                while (!stop.get()) {
                                    x += Long.numberOfTrailingZeros(x + System.nanoTime());
                                }
                            },
                            "cpu-load-" + i);
            t.setDaemon(true);
            t.start();
            load.add(t);
        }
        List<String> busy;
        try {
            busy = table();
        } finally {
            stop.set(true);
            for (Thread t : load) {
                t.join();
            }
        }
        assertEquals(quiet, busy);
    }
}
