package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.iscsi.LeakWatch;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;

/**
 * ErrorRecoveryLevel 2 under random loss: for any seed, a verified write workload over two
 * connections with data digests, while the target loses and damages PDUs at random (Data-In,
 * status, R2T, commands, Data-Out) and drops a connection, completes every command exactly once,
 * reads back every block as last written, and leaks no buffer. A handful of seeds, about a minute.
 */
class ErrorRecoveryPropertyTest {
    private static final int BLOCK = 512;
    private static final int BLOCKS = 4096;
    private static final int COMMANDS = 96;
    private static final AtomicInteger sessions = new AtomicInteger();

    private static TestTarget target;
    private static IscsiInitiator initiator;

    @BeforeContainer
    static void start() throws Exception {
        LeakWatch.install();
        target =
                TestTarget.start(
                        TargetSettings.defaults()
                                .withSessionOffer(SessionOffer.DEFAULT.withTimes(0, 20)),
                        "ram:2M");
        initiator = new IscsiInitiator(2);
    }

    @AfterContainer
    static void stop() throws Exception {
        initiator.close();
        target.close();
        LeakWatch.assertNoLeaks();
    }

    /** The PDU faults of one run, each firing at random with the run's seed. */
    private static List<String> faults(long seed, String initiatorName) {
        String scope = ",initiator=" + initiatorName + ",seed=" + seed;
        return List.of(
                "drop-pdu,pdu=data-in,probability=0.03" + scope,
                "corrupt-digest,pdu=data-in,probability=0.03" + scope,
                "drop-pdu,pdu=status,probability=0.02" + scope,
                "drop-pdu,pdu=r2t,probability=0.02" + scope,
                "corrupt-digest,dir=in,pdu=command,probability=0.02" + scope,
                "drop-pdu,dir=in,pdu=command,probability=0.02" + scope,
                "corrupt-digest,dir=in,pdu=data-out,probability=0.03" + scope);
    }

    @Property(tries = 4, seed = "20261128")
    void everyCommandCompletesOnceAndEveryBlockVerifies(@ForAll long seed) throws Exception {
        String name = "iqn.2026-01.org.example:erl2-property-" + sessions.incrementAndGet();
        InitiatorSession s =
                initiator
                        .login(
                                target.address(),
                                InitiatorConfig.normal(target.iqn())
                                        .withInitiatorName(name)
                                        .withDigests(false, true)
                                        .withConnections(2)
                                        .withErrorRecoveryLevel(2))
                        .join();
        List<Integer> rules = new ArrayList<>();
        try {
            s.execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0).join();
            for (String f : faults(seed, name)) {
                rules.add(target.faults().add(f).id());
            }
            Random random = new Random(seed);
            int dropAt = 20 + random.nextInt(COMMANDS - 40); // and one connection fails
            Map<Long, byte[]> written = new HashMap<>();
            List<InitiatorSession.Command> commands = new ArrayList<>();
            for (int i = 0; i < COMMANDS; i++) {
                long lba = random.nextInt(BLOCKS - 8);
                int blocks = 1 + random.nextInt(8);
                byte[] data = new byte[blocks * BLOCK];
                random.nextBytes(data);
                for (int b = 0; b < blocks; b++) {
                    byte[] one = new byte[BLOCK];
                    System.arraycopy(data, b * BLOCK, one, 0, BLOCK);
                    written.put(lba + b, one);
                }
                if (i == dropAt) {
                    rules.add(target.faults().add("drop,once,fin=false,initiator=" + name).id());
                }
                // one at a time, so the last write of a block is the one that stands
                InitiatorSession.Command c =
                        s.submit(LunAddress.encode(0), Cdbs.write10(lba, blocks, false), data, 0);
                ScsiResult r = c.result().join();
                assertTrue(r.good(), "write " + i + ": " + r);
                commands.add(c);
            }
            for (int id : rules) {
                target.faults().remove(id);
            }
            rules.clear();
            for (Map.Entry<Long, byte[]> e : written.entrySet()) {
                CompletableFuture<ScsiResult> read =
                        s.execute(LunAddress.encode(0), Cdbs.read10(e.getKey(), 1), null, BLOCK);
                assertArrayEquals(e.getValue(), read.join().data(), "block " + e.getKey());
            }
            // no command ran twice, none was lost: one completion per write at the target
            Map<Long, Long> perTag = new HashMap<>();
            for (EventLog.Event e :
                    target.events()
                            .events(
                                    e ->
                                            e.type() == EventLog.Type.COMMAND
                                                    && name.equals(e.initiator())
                                                    && e.opcode() == 0x2a)) {
                perTag.merge(e.taskTag(), 1L, Long::sum);
            }
            for (InitiatorSession.Command c : commands) {
                long tag = Integer.toUnsignedLong(c.itt().join());
                assertEquals(
                        1L, perTag.getOrDefault(tag, 0L), "write ITT 0x" + Long.toHexString(tag));
            }
        } finally {
            for (int id : rules) {
                target.faults().remove(id);
            }
            s.logout().join();
        }
    }
}
