package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
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
 * The Java initiator's error recovery against the target: at ErrorRecoveryLevel 2 a connection
 * dropped under a verified write workload is recovered and its commands reassigned, so every block
 * reads back as written (RFC 7143 §7.1.4.3, §7.2.2).
 */
class ErrorRecoveryInitiatorTest {
    private static final int BLOCK = 512;
    private static final int BLOCKS = 512;
    private static TestTarget target;
    private static IscsiInitiator initiator;

    @BeforeAll
    static void start() throws Exception {
        // Time2Wait 0: the initiator recovers at once
        target =
                TestTarget.start(
                        TargetSettings.defaults()
                                .withSessionOffer(SessionOffer.DEFAULT.withTimes(0, 20)),
                        "ram:64M");
        initiator = new IscsiInitiator(2);
    }

    @AfterAll
    static void stop() {
        initiator.close();
        target.close();
    }

    private static InitiatorSession login(String name, int connections) {
        InitiatorSession s =
                initiator
                        .login(
                                target.address(),
                                InitiatorConfig.normal(target.iqn())
                                        .withInitiatorName(name)
                                        .withConnections(connections)
                                        .withErrorRecoveryLevel(2))
                        .join();
        assertEquals(2, s.parameters().errorRecoveryLevel());
        s.execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0).join();
        return s;
    }

    private static byte[] block(long lba, int round) {
        byte[] b = new byte[BLOCK];
        new Random(lba * 131 + round).nextBytes(b);
        return b;
    }

    /**
     * Writes every block with a delay on the target so commands are in flight, drops a connection
     * halfway, and checks that every write succeeded and every block reads back.
     */
    private static void dropMidWorkloadAndVerify(InitiatorSession s, String name, int round)
            throws Exception {
        int delay = target.faults().add("delay=50ms,initiator=" + name + ",op=write").id();
        List<CompletableFuture<ScsiResult>> writes = new ArrayList<>();
        for (long lba = 0; lba < BLOCKS; lba++) {
            InitiatorSession.Command c =
                    s.submit(
                            LunAddress.encode(0),
                            Cdbs.write10(lba, 1, false),
                            block(lba, round),
                            0);
            writes.add(c.result());
            if (lba == BLOCKS / 4) {
                c.itt().join(); // on the wire, held by the delay with those before it
                target.faults().add("drop,once,fin=false,initiator=" + name);
            }
        }
        for (CompletableFuture<ScsiResult> w : writes) {
            ScsiResult r = w.join();
            assertTrue(
                    r.good() || r.senseData() != null && r.senseData().asc() == 0x29, "write " + r);
        }
        target.faults().remove(delay);
        for (long lba = 0; lba < BLOCKS; lba++) {
            ScsiResult r = s.execute(LunAddress.encode(0), Cdbs.read10(lba, 1), null, BLOCK).join();
            assertArrayEquals(block(lba, round), r.data(), "block " + lba);
        }
    }

    /** TASK REASSIGN requests the target answered FUNCTION COMPLETE for this initiator. */
    private static long reassignments(String name) {
        return target.events()
                .count(
                        e ->
                                e.type() == EventLog.Type.TASK_MANAGEMENT
                                        && name.equals(e.initiator())
                                        && "function 8".equals(e.detail())
                                        && "response 0".equals(e.status()));
    }

    /** A session at ErrorRecoveryLevel 1 with data digests, its unit attention consumed. */
    private static InitiatorSession levelOne(String name) {
        InitiatorSession s =
                initiator
                        .login(
                                target.address(),
                                InitiatorConfig.normal(target.iqn())
                                        .withInitiatorName(name)
                                        .withDigests(false, true)
                                        .withErrorRecoveryLevel(1))
                        .join();
        assertEquals(1, s.parameters().errorRecoveryLevel());
        s.execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0).join();
        return s;
    }

    private static long fired(String rule) {
        return target.events()
                .count(e -> e.type() == EventLog.Type.FAULT && e.detail().contains(rule));
    }

    /**
     * Writes 1 MiB at {@code lba} and reads it back through a fault rule added in between; the rule
     * must have fired and the read must return what was written.
     */
    private static void readBackThrough(String name, String rule, int lba) throws Exception {
        InitiatorSession s = levelOne(name);
        try {
            readBackThrough(s, name, rule, lba);
        } finally {
            s.logout().join();
        }
    }

    private static void readBackThrough(InitiatorSession s, String name, String rule, int lba)
            throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(lba).nextBytes(data);
        assertTrue(
                s.execute(LunAddress.encode(0), Cdbs.write10(lba, 2048, false), data, 0)
                        .join()
                        .good());
        String full = rule + ",once,initiator=" + name;
        int id = target.faults().add(full).id();
        try {
            ScsiResult r =
                    s.execute(LunAddress.encode(0), Cdbs.read10(lba, 2048), null, data.length)
                            .join();
            assertTrue(r.good(), r.toString());
            assertArrayEquals(data, r.data(), "the bytes read are the bytes written");
            assertEquals(1, fired(rule), "the fault fired once");
        } finally {
            target.faults().remove(id);
        }
    }

    @Test
    void aDataInWithABadDataDigestIsAskedForAgainAndTheReadSucceeds() throws Exception {
        // RFC 7143 §7.8: the initiator discards it and asks for it by DataSN (SNACK)
        readBackThrough(
                "iqn.2026-01.org.example:erl1-digest-in", "corrupt-digest,pdu=data-in", 4096);
    }

    @Test
    void aLostDataInIsAskedForAgainAndTheSameBytesCome() throws Exception {
        // §7.9: the DataSN gap shows the loss; the Data SNACK brings the same PDU again
        readBackThrough("iqn.2026-01.org.example:erl1-lost-data-in", "drop-pdu,pdu=data-in", 8192);
    }

    @Test
    void aLostStatusIsAskedForAgain() throws Exception {
        // nothing follows the lost status: a NOP-In's StatSN shows the gap (Status SNACK)
        readBackThrough("iqn.2026-01.org.example:erl1-lost-status", "drop-pdu,pdu=status", 12288);
    }

    @Test
    void aCommandWithDamagedOrLostImmediateDataIsSentAgainAndRunsOnce() throws Exception {
        String name = "iqn.2026-01.org.example:erl1-command";
        InitiatorSession s = levelOne(name);
        try {
            for (String rule :
                    List.of("corrupt-digest,dir=in,pdu=command", "drop-pdu,dir=in,pdu=command")) {
                int id = target.faults().add(rule + ",once,initiator=" + name).id();
                long before = writesOf(name);
                byte[] b = block(16384, rule.length());
                assertTrue(
                        s.execute(LunAddress.encode(0), Cdbs.write10(16384, 1, false), b, 0)
                                .join()
                                .good(),
                        rule);
                target.faults().remove(id);
                assertEquals(1, fired(rule), rule);
                assertEquals(before + 1, writesOf(name), rule + ": the write ran once");
                assertArrayEquals(
                        b,
                        s.execute(LunAddress.encode(0), Cdbs.read10(16384, 1), null, BLOCK)
                                .join()
                                .data());
            }
        } finally {
            s.logout().join();
        }
    }

    @Test
    void aDataOutWithABadDataDigestIsAskedForWithARecoveryR2t() throws Exception {
        String name = "iqn.2026-01.org.example:erl1-digest-out";
        InitiatorSession s = levelOne(name);
        try {
            byte[] data = new byte[1 << 20]; // beyond the immediate data: Data-Out PDUs
            new Random(7).nextBytes(data);
            int id =
                    target.faults()
                            .add("corrupt-digest,dir=in,pdu=data-out,once,initiator=" + name)
                            .id();
            assertTrue(
                    s.execute(LunAddress.encode(0), Cdbs.write10(20480, 2048, false), data, 0)
                            .join()
                            .good(),
                    "§7.8: the write is not ended by the damaged Data-Out");
            target.faults().remove(id);
            assertEquals(1, fired("corrupt-digest,dir=in,pdu=data-out"));
            assertArrayEquals(
                    data,
                    s.execute(LunAddress.encode(0), Cdbs.read10(20480, 2048), null, data.length)
                            .join()
                            .data());
        } finally {
            s.logout().join();
        }
    }

    private static long writesOf(String name) {
        return target.events()
                .count(
                        e ->
                                e.type() == EventLog.Type.COMMAND
                                        && name.equals(e.initiator())
                                        && e.opcode() == 0x2a);
    }

    @Test
    void aDroppedConnectionOfTwoIsRecoveredAndEveryBlockVerifies() throws Exception {
        String name = "iqn.2026-01.org.example:erl2-two";
        InitiatorSession s = login(name, 2);
        try {
            assertEquals(2, s.connectionCount());
            dropMidWorkloadAndVerify(s, name, 1);
            assertTrue(reassignments(name) > 0, "its commands were reassigned (TASK REASSIGN)");
        } finally {
            s.logout().join();
        }
    }

    @Test
    void theOnlyConnectionDroppedIsReplacedAndEveryBlockVerifies() throws Exception {
        String name = "iqn.2026-01.org.example:erl2-one";
        InitiatorSession s = login(name, 1);
        try {
            dropMidWorkloadAndVerify(s, name, 2);
            assertTrue(reassignments(name) > 0, "its commands were reassigned (TASK REASSIGN)");
            assertEquals(1, s.connectionCount(), "a new connection with the same CID");
        } finally {
            s.logout().join();
        }
    }
}
