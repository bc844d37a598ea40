package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java initiator with several connections in one session (RFC 7143 MC/S) against the target:
 * how many it opens, commands spread over them in one CmdSN window, and a connection lost under
 * load below ErrorRecoveryLevel 2.
 */
class MultiConnectionInitiatorTest {
    private static final int BLOCK = 512;
    private static TestTarget target;
    private static IscsiInitiator initiator;

    @BeforeAll
    static void start() throws Exception {
        target = TestTarget.start("ram:64M");
        initiator = new IscsiInitiator(2);
    }

    @AfterAll
    static void stop() {
        initiator.close();
        target.close();
    }

    private static InitiatorSession login(String initiatorName, int connections) {
        return initiator
                .login(
                        target.address(),
                        InitiatorConfig.normal(target.iqn())
                                .withInitiatorName(initiatorName)
                                .withConnections(connections))
                .join();
    }

    private static TargetSession onTarget(InitiatorSession s) {
        return target.sessions().stream()
                .filter(t -> t.tsih() == s.tsih())
                .findFirst()
                .orElseThrow();
    }

    private static byte[] block(long lba, int round) {
        byte[] b = new byte[BLOCK];
        new Random(lba * 31 + round).nextBytes(b);
        return b;
    }

    @Test
    void itOpensAsManyConnectionsAsAskedUpToTheTargetsMaxConnections() {
        InitiatorSession two = login("iqn.2026-01.org.example:mcs-two", 2);
        InitiatorSession many = login("iqn.2026-01.org.example:mcs-many", 9);
        try {
            assertEquals(2, two.connectionCount());
            assertEquals(2, onTarget(two).connectionCount());
            assertEquals(
                    4,
                    many.connectionCount(),
                    "MaxConnections is the lesser of 9 and the target's 4");
            assertEquals(4, onTarget(many).connectionCount());
        } finally {
            two.logout().join();
            many.logout().join();
        }
    }

    @Test
    void aWorkloadOverTwoConnectionsVerifiesEveryBlock() {
        InitiatorSession s = login("iqn.2026-01.org.example:mcs-verify", 2);
        try {
            s.execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0).join();
            List<CompletableFuture<ScsiResult>> writes = new ArrayList<>();
            for (long lba = 0; lba < 256; lba++) {
                writes.add(
                        s.execute(
                                LunAddress.encode(0),
                                Cdbs.write10(lba, 1, false),
                                block(lba, 1),
                                0));
            }
            writes.forEach(w -> assertTrue(w.join().good()));
            for (long lba = 0; lba < 256; lba++) {
                ScsiResult r =
                        s.execute(LunAddress.encode(0), Cdbs.read10(lba, 1), null, BLOCK).join();
                assertArrayEquals(block(lba, 1), r.data(), "block " + lba);
            }
        } finally {
            s.logout().join();
        }
    }

    @Test
    void losingOneConnectionFailsOnlyItsCommandsAndTheWindowMovesOn() throws Exception {
        String name = "iqn.2026-01.org.example:mcs-loss";
        InitiatorSession s = login(name, 2);
        try {
            s.execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0).join();
            // the target holds one connection's commands: dropping it loses them in flight
            int freeze = target.faults().add("delay=300ms,initiator=" + name + ",op=write").id();
            List<CompletableFuture<ScsiResult>> writes = new ArrayList<>();
            for (long lba = 0; lba < 64; lba++) {
                InitiatorSession.Command c =
                        s.submit(
                                LunAddress.encode(0),
                                Cdbs.write10(lba, 1, false),
                                block(lba, 2),
                                0);
                c.itt().join(); // sent: on the wire, held by the delay
                writes.add(c.result());
            }
            // sent is not yet received: wait until the target runs all 64 (each meets the delay),
            // so the dropped connection takes tasks the target has with it
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (target.events()
                                    .count(
                                            e ->
                                                    e.type() == EventLog.Type.FAULT
                                                            && name.equals(e.initiator())
                                                            && e.detail().contains("delay=300ms"))
                            < 64
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            target.faults().add("drop,once,initiator=" + name);
            int failed = 0;
            int good = 0;
            boolean reported = false;
            for (CompletableFuture<ScsiResult> w : writes) {
                try {
                    ScsiResult r = w.join();
                    if (r.good()) {
                        good++;
                    } else {
                        // RFC 7143 §7.6: the logical unit reports the commands the connection took
                        // with it to the next command of the session
                        assertEquals(0x47, r.senseData().asc(), r.toString());
                        assertEquals(0x7F, r.senseData().ascq());
                        reported = true;
                    }
                } catch (CompletionException e) {
                    failed++;
                }
            }
            target.faults().remove(freeze);
            // commands go round robin: half went on the dropped connection
            assertEquals(32, failed, "the dropped connection's commands failed");
            assertEquals(32, good + (reported ? 1 : 0), "the other connection's completed");
            assertEquals(1, s.connectionCount());
            if (!reported) {
                ScsiResult ua =
                        s.execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0).join();
                assertEquals(0x47, ua.senseData().asc());
                assertEquals(0x7F, ua.senseData().ascq());
            }
            // below ErrorRecoveryLevel 2 the lost commands' CmdSNs were settled: new ones run
            for (long lba = 0; lba < 64; lba++) {
                assertTrue(
                        s.execute(
                                        LunAddress.encode(0),
                                        Cdbs.write10(lba, 1, false),
                                        block(lba, 3),
                                        0)
                                .join()
                                .good());
                assertArrayEquals(
                        block(lba, 3),
                        s.execute(LunAddress.encode(0), Cdbs.read10(lba, 1), null, BLOCK)
                                .join()
                                .data());
            }
        } finally {
            s.logout().join();
        }
    }
}
