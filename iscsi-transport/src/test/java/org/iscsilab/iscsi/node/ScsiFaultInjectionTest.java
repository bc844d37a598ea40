package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SCSI fault rules act on commands over the wire, while the session is live, and the event log
 * shows them.
 */
class ScsiFaultInjectionTest {
    private TestTarget target;
    private IscsiInitiator initiator;
    private InitiatorSession session;

    @BeforeEach
    void start() throws Exception {
        target = TestTarget.start("ram:16M", "ram:16M");
        initiator = new IscsiInitiator(1);
        session = initiator.login(target.address(), InitiatorConfig.normal(target.iqn())).join();
        for (int lun = 0; lun < 2; lun++) {
            session.execute(LunAddress.encode(lun), Cdbs.testUnitReady(), null, 0)
                    .join(); // power-on UA
        }
    }

    @AfterEach
    void stop() {
        initiator.close();
        target.close();
    }

    private ScsiResult read(int lun, long lba, int blocks) {
        return session.execute(LunAddress.encode(lun), Cdbs.read16(lba, blocks), null, blocks * 512)
                .join();
    }

    @Test
    void aMediumErrorRuleFailsReadsOfItsRangeWithTheExactSenseAndLeavesOtherReadsAlone() {
        target.faults().add("medium-error,lun=0,lba=1000-1999,op=read");
        ScsiResult hit = read(0, 1990, 16);
        assertEquals(ScsiStatus.CHECK_CONDITION.code(), hit.status());
        assertEquals(SenseKey.MEDIUM_ERROR, hit.senseData().key());
        assertEquals(0x11, hit.senseData().asc());
        assertEquals(0x00, hit.senseData().ascq());
        assertTrue(read(0, 2000, 16).good(), "after the range");
        assertTrue(read(0, 0, 16).good(), "before the range");
        assertTrue(read(1, 1500, 1).good(), "another LUN");
        assertTrue(
                session.execute(
                                LunAddress.encode(0),
                                Cdbs.write16(1500, 1, false),
                                new byte[512],
                                0)
                        .join()
                        .good(),
                "writes are not in the rule's scope");
    }

    @Test
    void aRuleAddedWhileTheSessionIsLiveTakesEffectAndItsRemovalEndsIt() {
        assertTrue(read(0, 0, 1).good());
        int id = target.faults().add("busy,every=2").id();
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            statuses.add(read(0, 0, 1).status());
        }
        assertEquals(List.of(0, ScsiStatus.BUSY.code(), 0, ScsiStatus.BUSY.code()), statuses);
        target.faults().remove(id);
        assertTrue(read(0, 0, 1).good());
    }

    @Test
    void aShortTransferEndsWithAResidualUnderflowAndCorruptionFlipsBits() {
        byte[] data = new byte[8 * 512];
        Arrays.fill(data, (byte) 0x5A);
        assertTrue(
                session.execute(LunAddress.encode(0), Cdbs.write16(0, 8, false), data, 0)
                        .join()
                        .good());
        int rule = target.faults().add("short,bytes=1024,lun=0,op=read").id();
        ScsiResult cut = read(0, 0, 8);
        assertTrue(cut.good());
        assertTrue(cut.underflow());
        assertEquals(8 * 512 - 1024, cut.residual());
        target.faults().remove(rule);
        target.faults().add("corrupt,lun=0,op=read,once");
        ScsiResult bad = read(0, 0, 8);
        assertTrue(bad.good());
        assertFalse(Arrays.equals(data, bad.data()), "the data came back altered");
        assertTrue(Arrays.equals(data, read(0, 0, 8).data()), "once: the next read is clean");
    }

    @Test
    void aHungCommandNeverAnswersSoTheInitiatorTimesOutWhileOtherLunsWork() {
        target.faults().add("hang,lun=1,op=sync");
        var pending = session.execute(LunAddress.encode(1), Cdbs.synchronizeCache10(), null, 0);
        assertTrue(read(0, 0, 1).good(), "LUN 0 keeps answering");
        assertThrows(TimeoutException.class, () -> pending.get(500, TimeUnit.MILLISECONDS));
    }

    @Test
    void theEventLogAnswersWhatReachedWhichLun() {
        session.execute(LunAddress.encode(0), Cdbs.synchronizeCache10(), null, 0).join();
        session.execute(LunAddress.encode(0), Cdbs.synchronizeCache10(), null, 0).join();
        target.faults().add("task-set-full,lun=1,once");
        read(1, 0, 1);
        EventLog events = target.events();
        assertEquals(
                2,
                events.count(
                        e ->
                                e.type() == EventLog.Type.COMMAND
                                        && e.lun() == 0
                                        && e.opcode() == ScsiOpcode.SYNCHRONIZE_CACHE_10
                                        && "GOOD".equals(e.status())));
        assertEquals(1, events.count(e -> e.type() == EventLog.Type.FAULT && e.lun() == 1));
        assertEquals(
                1,
                events.count(
                        e ->
                                e.type() == EventLog.Type.COMMAND
                                        && e.lun() == 1
                                        && "TASK_SET_FULL".equals(e.status())));
        assertEquals(1, events.count(e -> e.type() == EventLog.Type.LOGIN));
        assertNotEquals(0, events.recorded());
    }

    @Test
    void aHangWithATimeoutEndsTheCommandWithInternalTargetFailureAfterThatTime() {
        target.faults().add("hang,timeout=300ms,lun=0,op=sync");
        long start = System.nanoTime();
        ScsiResult r =
                session.execute(LunAddress.encode(0), Cdbs.synchronizeCache10(), null, 0).join();
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ScsiStatus.CHECK_CONDITION.code(), r.status());
        assertEquals(SenseKey.HARDWARE_ERROR, r.senseData().key());
        assertEquals(0x44, r.senseData().asc());
        assertTrue(
                elapsedMs >= 250, "the command was held for the timeout, not " + elapsedMs + " ms");
    }

    @Test
    void ignoreTmfLeavesAbortTaskUnansweredAndWithoutItAbortTaskCompletes() throws Exception {
        target.faults().add("hang,lun=1,op=sync");
        int ignore = target.faults().add("ignore-tmf").id();
        InitiatorSession.Command stuck =
                session.submit(LunAddress.encode(1), Cdbs.synchronizeCache10(), null, 0);
        int itt = stuck.itt().get(5, TimeUnit.SECONDS);
        var unanswered = session.abortTask(LunAddress.encode(1), itt);
        assertThrows(TimeoutException.class, () -> unanswered.get(500, TimeUnit.MILLISECONDS));
        assertEquals(
                1,
                target.events()
                        .count(
                                e ->
                                        e.type() == EventLog.Type.TASK_MANAGEMENT
                                                && "unanswered".equals(e.status())));
        target.faults().remove(ignore);
        session.abortTask(LunAddress.encode(1), itt).get(5, TimeUnit.SECONDS);
    }
}
