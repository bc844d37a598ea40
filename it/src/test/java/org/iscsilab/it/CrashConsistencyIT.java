package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acknowledged writes survive SIGKILL of the target process: the target is killed in the middle of
 * a write workload, at many points, and restarted on the same file LUN. What must read back intact
 * (SBC-4 §5.4 FUA, §5.26 SYNCHRONIZE CACHE, SPC-5 §7.5.7 WCE):
 *
 * <ul>
 *   <li>every FUA write acknowledged before the kill;
 *   <li>every write acknowledged before a SYNCHRONIZE CACHE was sent that was itself acknowledged;
 *   <li>with the write cache turned off by MODE SELECT, every acknowledged write.
 * </ul>
 *
 * Every other block written reads back as either its old or its new content, never anything else.
 */
class CrashConsistencyIT {
    private static final Path JAR = IscsilabJar.path();
    private static final String IQN = "iqn.2026-01.org.iscsilab:crash";
    private static final int SLOT_BYTES = 4096;
    private static final int SLOT_BLOCKS = SLOT_BYTES / 512;
    private static final int SLOTS_PER_RUN = 6000;
    private static final int KILL_POINTS = 12;
    private static final long LUN_ADDRESS = LunAddress.encode(0);

    /** The target under test, a separate JVM on the file LUN. */
    private static final class TargetProcess {
        final Process process;
        final InetSocketAddress address;

        TargetProcess(Path file, int port) throws Exception {
            process =
                    new ProcessBuilder(
                                    "java",
                                    "-jar",
                                    JAR.toString(),
                                    "target",
                                    "--portal",
                                    "127.0.0.1:" + port,
                                    "--iqn",
                                    IQN,
                                    "--lun",
                                    "file:"
                                            + file
                                            + ":"
                                            + (KILL_POINTS * SLOTS_PER_RUN * (long) SLOT_BYTES),
                                    "--admin",
                                    "off",
                                    "--nop-interval",
                                    "0")
                            .redirectErrorStream(true)
                            .start();
            BufferedReader out =
                    new BufferedReader(
                            new InputStreamReader(
                                    process.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            for (String line; (line = out.readLine()) != null && !line.contains("Ctrl-C"); ) {
                seen.append(line).append('\n');
            }
            assertTrue(process.isAlive(), "the target started:\n" + seen);
            Thread drain =
                    new Thread(
                            () -> {
                                try {
                                    while (out.readLine() != null) {
                                        // keep the pipe from filling
                                    }
                                } catch (IOException ignored) {
                                    // the process is gone
                                }
                            });
            drain.setDaemon(true);
            drain.start();
            address = new InetSocketAddress("127.0.0.1", port);
        }

        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            assertTrue(process.waitFor(20, TimeUnit.SECONDS));
        }
    }

    private static byte[] content(int run, int slot) {
        byte[] b = new byte[SLOT_BYTES];
        new Random(run * 1_000_003L + slot).nextBytes(b);
        return b;
    }

    /** One run's writes and what the target promised about each. */
    private static final class Ledger {
        final Set<Integer> durable = ConcurrentHashMap.newKeySet();
        final Set<Integer> ackedVolatile = ConcurrentHashMap.newKeySet();
        final Set<Integer> sent = ConcurrentHashMap.newKeySet();
        final AtomicInteger syncs = new AtomicInteger();
        final AtomicInteger durableAcks = new AtomicInteger();
    }

    private static InitiatorSession login(IscsiInitiator initiator, InetSocketAddress at) {
        InitiatorSession s = initiator.login(at, InitiatorConfig.normal(IQN)).join();
        s.execute(LUN_ADDRESS, Cdbs.testUnitReady(), null, 0).join(); // the power-on unit attention
        return s;
    }

    /** MODE SELECT(6) of the caching page with WCE cleared (SBC-4 §6.5.5): write-through. */
    private static void disableWriteCache(InitiatorSession s) {
        ScsiResult sense = s.execute(LUN_ADDRESS, Cdbs.modeSense6(0x08, 255), null, 255).join();
        assertTrue(sense.good());
        byte[] d = sense.data();
        int page = 4 + (d[3] & 0xFF);
        int length = 2 + (d[page + 1] & 0xFF);
        byte[] param = new byte[4 + length];
        System.arraycopy(d, page, param, 4, length);
        param[4] &= 0x3F; // PS is reserved in MODE SELECT
        param[4 + 2] &= ~0x04; // WCE = 0
        byte[] cdb = {0x15, 0x10, 0, 0, (byte) param.length, 0}; // PF = 1
        assertTrue(
                s.execute(LUN_ADDRESS, cdb, param, 0).join().good(),
                "MODE SELECT turned the write cache off");
        ScsiResult after = s.execute(LUN_ADDRESS, Cdbs.modeSense6(0x08, 255), null, 255).join();
        assertEquals(0, after.data()[4 + (after.data()[3] & 0xFF) + 2] & 0x04, "WCE reads back 0");
    }

    /**
     * Writes slots of {@code run} at queue depth 16, every third one FUA, a SYNCHRONIZE CACHE after
     * every 64, until {@code stop}; the ledger records each acknowledgement.
     */
    private static CompletableFuture<Void> workload(
            InitiatorSession s, int run, boolean writeThrough, Ledger ledger, AtomicBoolean stop) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger inFlight = new AtomicInteger();
        Runnable[] issue = new Runnable[1];
        issue[0] =
                () -> {
                    int slot = next.getAndIncrement();
                    if (stop.get() || slot >= SLOTS_PER_RUN) {
                        if (inFlight.get() == 0) {
                            done.complete(null);
                        }
                        return;
                    }
                    inFlight.incrementAndGet();
                    boolean fua = slot % 3 == 0;
                    ledger.sent.add(slot);
                    int base = run * SLOTS_PER_RUN;
                    s.execute(
                                    LUN_ADDRESS,
                                    Cdbs.write10(
                                            (long) (base + slot) * SLOT_BLOCKS, SLOT_BLOCKS, fua),
                                    content(run, slot),
                                    0)
                            .whenComplete(
                                    (r, e) -> {
                                        if (e != null) {
                                            stop.set(true); // the target is gone: nothing more to
                                            // send
                                        } else if (r.good()) {
                                            if (fua || writeThrough) {
                                                ledger.durable.add(slot);
                                                ledger.durableAcks.incrementAndGet();
                                            } else {
                                                ledger.ackedVolatile.add(slot);
                                            }
                                        }
                                        if (slot % 64 == 63) {
                                            Set<Integer> covered =
                                                    new HashSet<>(ledger.ackedVolatile);
                                            s.execute(
                                                            LUN_ADDRESS,
                                                            Cdbs.synchronizeCache10(),
                                                            null,
                                                            0)
                                                    .whenComplete(
                                                            (sr, se) -> {
                                                                if (se == null && sr.good()) {
                                                                    ledger.durable.addAll(covered);
                                                                    ledger.syncs.incrementAndGet();
                                                                }
                                                            });
                                        }
                                        inFlight.decrementAndGet();
                                        issue[0].run();
                                    });
                };
        for (int i = 0; i < 16; i++) {
            issue[0].run();
        }
        return done;
    }

    @Test
    void acknowledgedDurableWritesSurviveSigkillAtManyPoints(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("crash.img");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Random when = new Random(20261126);
        List<String> report = new ArrayList<>();
        int checked = 0;
        try (IscsiInitiator initiator = new IscsiInitiator(2)) {
            TargetProcess target = new TargetProcess(file, port);
            for (int run = 0; run < KILL_POINTS; run++) {
                boolean writeThrough = run % 3 == 2;
                InitiatorSession s = login(initiator, target.address);
                if (writeThrough) {
                    disableWriteCache(s);
                }
                Ledger ledger = new Ledger();
                AtomicBoolean stop = new AtomicBoolean();
                CompletableFuture<Void> writes = workload(s, run, writeThrough, ledger, stop);
                int killAt = 200 + when.nextInt(SLOTS_PER_RUN - 1000);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (ledger.sent.size() < killAt && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertTrue(ledger.sent.size() >= killAt, "the workload reached its kill point");
                target.kill(); // mid-workload: commands are in flight
                stop.set(true);
                writes.orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join();
                s.close();
                Set<Integer> durable = Set.copyOf(ledger.durable);

                target = new TargetProcess(file, port);
                InitiatorSession check = login(initiator, target.address);
                int base = run * SLOTS_PER_RUN;
                int intact = 0;
                int lostVolatile = 0;
                for (int slot : ledger.sent) {
                    byte[] read =
                            check.execute(
                                            LUN_ADDRESS,
                                            Cdbs.read10(
                                                    (long) (base + slot) * SLOT_BLOCKS,
                                                    SLOT_BLOCKS),
                                            null,
                                            SLOT_BYTES)
                                    .join()
                                    .data();
                    byte[] written = content(run, slot);
                    if (durable.contains(slot)) {
                        assertArrayEquals(
                                written,
                                read,
                                "run "
                                        + run
                                        + ": acknowledged durable write to slot "
                                        + slot
                                        + " lost");
                        intact++;
                    } else if (!Arrays.equals(written, read)) {
                        assertArrayEquals(
                                new byte[SLOT_BYTES],
                                read,
                                "run "
                                        + run
                                        + ": slot "
                                        + slot
                                        + " holds neither its old nor its new content");
                        lostVolatile++;
                    }
                }
                checked += intact;
                report.add(
                        String.format(
                                "run %2d %s: %4d sent, %4d durable (%d FUA/write-through, %d SYNC CACHE) "
                                        + "intact, %d unacknowledged or volatile not on disk",
                                run,
                                writeThrough ? "WCE=0" : "WCE=1",
                                ledger.sent.size(),
                                intact,
                                ledger.durableAcks.get(),
                                ledger.syncs.get(),
                                lostVolatile));
                check.logout().join();
            }
            target.kill();
        }
        report.forEach(System.out::println);
        assertTrue(
                checked > KILL_POINTS * 10,
                "the runs acknowledged durable writes to check: " + checked);
    }
}
