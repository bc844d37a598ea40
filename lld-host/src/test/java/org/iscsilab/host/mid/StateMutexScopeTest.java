package org.iscsilab.host.mid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.iscsilab.host.module.Violations;
import org.junit.jupiter.api.Test;

/**
 * What v4.13 and later do under sdev->state_mutex (docs/linux-midlayer.md §6): the unblock restarts
 * the queue inside it, and the final DEL of a removal takes it; 4.11 has no mutex.
 */
class StateMutexScopeTest {
    private final Violations violations = new Violations();

    private ScsiHost host(Policy p) {
        return new ScsiHost(0, new TestDriver(violations), p, violations);
    }

    /** Records, at each yield point and wait, whether the calling thread holds the mutex. */
    private static final class Watch implements ScsiHost.YieldPoint {
        final ScsiDevice device;
        final List<String> seen = new CopyOnWriteArrayList<>();

        Watch(ScsiDevice device) {
            this.device = device;
        }

        @Override
        public void reached(String point) {
            seen.add(point + (device.stateMutex().isHeldByCurrentThread() ? " [mutex]" : ""));
        }

        @Override
        public void waiting(String what, BooleanSupplier stillWaiting) {
            seen.add("waits for " + what);
        }
    }

    @Test
    void from413TheUnblockRestartsTheQueueHoldingTheMutexAnd411WithoutOne() {
        for (Policy p : List.of(Policy.V4_13, Policy.CURRENT, Policy.V4_11)) {
            ScsiHost h = host(p);
            ScsiDevice d = h.addDevice(0, 0, 0);
            BlockControl.blockDevice(d);
            Watch w = new Watch(d);
            h.setYieldPoint(w);
            BlockControl.unblockDevice(d, DeviceState.RUNNING);
            String point = "unblock 0:0:0:0: state written, queue not yet started";
            boolean underMutex = w.seen.contains(point + " [mutex]");
            assertEquals(p.removalToDel(), underMutex, p + ": " + w.seen);
            assertFalse(d.queueStopped(), p + ": the queue runs again");
        }
    }

    @Test
    void from413TheFinalDelOfARemovalWaitsForTheMutex() throws Exception {
        ScsiHost h = host(Policy.V4_13);
        ScsiDevice d = h.addDevice(0, 0, 0);
        Watch w = new Watch(d);
        h.setYieldPoint(w);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // sd's remove hook returns while another thread holds the mutex (a transport block)
        UpperDriver sd =
                device -> {
                    Thread holder =
                            new Thread(
                                    () -> {
                                        d.stateMutex().lock();
                                        held.countDown();
                                        try {
                                            release.await();
                                        } catch (InterruptedException e) {
                                            Thread.currentThread().interrupt();
                                        } finally {
                                            d.stateMutex().unlock();
                                        }
                                    });
                    holder.start();
                    held.await();
                };
        Thread remover =
                new Thread(
                        () -> {
                            try {
                                Removal.removeDevice(d, sd);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
        remover.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!w.seen.contains("waits for state_mutex of 0:0:0:0")) {
            assertTrue(System.nanoTime() < deadline, "the final DEL waits: " + w.seen);
            Thread.sleep(5);
        }
        assertEquals(DeviceState.CANCEL, d.state(), "not deleted while the mutex is held");
        release.countDown();
        remover.join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(DeviceState.DEL, d.state());
    }
}
