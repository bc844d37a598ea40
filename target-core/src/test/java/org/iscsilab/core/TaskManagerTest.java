package org.iscsilab.core;

import static org.iscsilab.core.ScsiTestSupport.assertSense;
import static org.iscsilab.core.ScsiTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.core.lu.DataOutSource;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.core.lu.TaskAttribute;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Task management in the SCSI core (SAM-5 §7), without any transport: which tasks each function
 * aborts, what the aborted tasks' callers see, and the unit attentions that follow.
 */
class TaskManagerTest {
    private static final ItNexus A = new ItNexus("iqn.2026-01.org.example:a,i,0x1", "iqn.t,t,0x1");
    private static final ItNexus B = new ItNexus("iqn.2026-01.org.example:b,i,0x2", "iqn.t,t,0x1");
    private static final Cdb TEST_UNIT_READY = Cdb.of(0, 0, 0, 0, 0, 0);

    private ScsiTargetDevice device;
    private TaskManager manager;

    @BeforeEach
    void setUp() {
        device = ScsiTestSupport.ramDevice("t", 2);
        manager = device.taskManager();
        for (ItNexus n : List.of(A, B)) { // consume the power-on unit attentions
            for (int lun = 0; lun < 2; lun++) {
                run(device, n, lun, TEST_UNIT_READY, 0, null);
            }
        }
    }

    @AfterEach
    void tearDown() {
        device.close();
    }

    /**
     * A WRITE(10) of one block whose data-out never arrives: it stays in the task set until
     * aborted.
     */
    private CompletableFuture<ScsiOutcome> stuckWrite(ItNexus nexus, int lun, long tag) {
        DataOutSource never = n -> new CompletableFuture<>();
        return device.execute(
                new ScsiTask(
                        nexus,
                        LunAddress.encode(lun),
                        Cdb.of(0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0),
                        tag,
                        TaskAttribute.SIMPLE,
                        512,
                        never));
    }

    private static void assertAborted(CompletableFuture<ScsiOutcome> f) {
        assertThrows(CancellationException.class, f::join, "aborted, not failed");
    }

    private static Set<Long> tags(TaskManager.Result r) {
        return Set.copyOf(r.aborted().stream().map(ScsiTask::tag).toList());
    }

    @Test
    void abortTaskEndsOnlyTheTaskWithThatTagFromThatNexus() {
        CompletableFuture<ScsiOutcome> a1 = stuckWrite(A, 0, 1);
        CompletableFuture<ScsiOutcome> a2 = stuckWrite(A, 0, 2);
        CompletableFuture<ScsiOutcome> b1 = stuckWrite(B, 0, 1);
        TaskManager.Result r = manager.abortTask(A, LunAddress.encode(0), 1);
        assertEquals(Set.of(1L), tags(r));
        assertAborted(a1);
        assertFalse(a2.isDone() || b1.isDone(), "the other tasks go on");
        assertTrue(
                manager.abortTask(A, LunAddress.encode(0), 1).aborted().isEmpty(),
                "gone: nothing to abort again");
        assertEquals(2, device.logicalUnit(0).taskSet().size());
    }

    @Test
    void abortTaskSetEndsThisNexussTasksOnThatUnitOnly() {
        CompletableFuture<ScsiOutcome> a0 = stuckWrite(A, 0, 1);
        CompletableFuture<ScsiOutcome> a1 = stuckWrite(A, 1, 2);
        CompletableFuture<ScsiOutcome> b0 = stuckWrite(B, 0, 3);
        TaskManager.Result r = manager.abortTaskSet(A, LunAddress.encode(0));
        assertEquals(Set.of(1L), tags(r));
        assertAborted(a0);
        assertFalse(a1.isDone() || b0.isDone());
        assertEquals(
                ScsiStatus.GOOD,
                run(device, B, 0, TEST_UNIT_READY, 0, null).status(),
                "ABORT TASK SET leaves other nexuses no unit attention");
    }

    @Test
    void clearTaskSetEndsEveryNexussTasksAndTellsTheOthers() {
        CompletableFuture<ScsiOutcome> a0 = stuckWrite(A, 0, 1);
        CompletableFuture<ScsiOutcome> b0 = stuckWrite(B, 0, 2);
        CompletableFuture<ScsiOutcome> b1 = stuckWrite(B, 1, 3);
        TaskManager.Result r = manager.clearTaskSet(A, LunAddress.encode(0));
        assertEquals(Set.of(1L, 2L), tags(r));
        assertAborted(a0);
        assertAborted(b0);
        assertFalse(b1.isDone(), "another unit's task set is not touched");
        assertSense(
                run(device, B, 0, TEST_UNIT_READY, 0, null),
                SenseKey.UNIT_ATTENTION,
                AdditionalSense.COMMANDS_CLEARED_BY_ANOTHER_INITIATOR);
        assertEquals(
                ScsiStatus.GOOD,
                run(device, A, 0, TEST_UNIT_READY, 0, null).status(),
                "the nexus that cleared the task set is not told");
        assertEquals(
                ScsiStatus.GOOD,
                run(device, B, 1, TEST_UNIT_READY, 0, null).status(),
                "only the cleared unit reports it");
    }

    @Test
    void clearTaskSetTellsNobodyWhoLostNothing() {
        manager.clearTaskSet(A, LunAddress.encode(0));
        assertEquals(ScsiStatus.GOOD, run(device, B, 0, TEST_UNIT_READY, 0, null).status());
    }

    @Test
    void logicalUnitResetAbortsEverythingOnTheUnitAndEveryNexusHearsOfIt() {
        CompletableFuture<ScsiOutcome> a0 = stuckWrite(A, 0, 1);
        CompletableFuture<ScsiOutcome> b0 = stuckWrite(B, 0, 2);
        CompletableFuture<ScsiOutcome> a1 = stuckWrite(A, 1, 3);
        TaskManager.Result r = manager.logicalUnitReset(B, LunAddress.encode(0));
        assertEquals(Set.of(1L, 2L), tags(r));
        assertAborted(a0);
        assertAborted(b0);
        assertFalse(a1.isDone());
        for (ItNexus n : List.of(A, B)) {
            assertSense(
                    run(device, n, 0, TEST_UNIT_READY, 0, null),
                    SenseKey.UNIT_ATTENTION,
                    AdditionalSense.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        }
        assertEquals(ScsiStatus.GOOD, run(device, A, 1, TEST_UNIT_READY, 0, null).status());
    }

    @Test
    void targetResetResetsEveryUnitAndEveryNexusHearsOfItOnEach() {
        CompletableFuture<ScsiOutcome> a0 = stuckWrite(A, 0, 1);
        CompletableFuture<ScsiOutcome> b1 = stuckWrite(B, 1, 2);
        assertEquals(Set.of(1L, 2L), tags(manager.targetReset()));
        assertAborted(a0);
        assertAborted(b1);
        for (ItNexus n : List.of(A, B)) {
            for (int lun = 0; lun < 2; lun++) {
                assertSense(
                        run(device, n, lun, TEST_UNIT_READY, 0, null),
                        SenseKey.UNIT_ATTENTION,
                        AdditionalSense.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
                assertEquals(
                        ScsiStatus.GOOD,
                        run(device, n, lun, TEST_UNIT_READY, 0, null).status(),
                        "reported once");
            }
        }
    }

    @Test
    void nexusLossAbortsThatNexussTasksEverywhere() {
        CompletableFuture<ScsiOutcome> a0 = stuckWrite(A, 0, 1);
        CompletableFuture<ScsiOutcome> a1 = stuckWrite(A, 1, 2);
        CompletableFuture<ScsiOutcome> b0 = stuckWrite(B, 0, 3);
        assertEquals(2, device.nexusLost(A).size());
        assertAborted(a0);
        assertAborted(a1);
        assertFalse(b0.isDone());
    }

    @Test
    void aProtocolEventAbortsTheDeliveredTasksAndEveryUnitThatLostOneTellsTheNexus() {
        CompletableFuture<ScsiOutcome> a1 = stuckWrite(A, 0, 1);
        CompletableFuture<ScsiOutcome> a2 = stuckWrite(A, 0, 2);
        CompletableFuture<ScsiOutcome> b1 = stuckWrite(B, 0, 1);
        List<ScsiTask> aborted =
                manager.terminatedByProtocolEvent(
                        A,
                        List.of(
                                new TaskManager.TerminatedCommand(LunAddress.encode(0), 1, true),
                                // still waiting in the transport: nothing to abort on LUN 1
                                new TaskManager.TerminatedCommand(LunAddress.encode(1), 2, false)));
        assertEquals(List.of(1L), aborted.stream().map(ScsiTask::tag).toList());
        assertAborted(a1);
        assertFalse(a2.isDone(), "a task the event did not end goes on");
        assertFalse(b1.isDone(), "another nexus's task with the same tag goes on");
        for (int lun = 0; lun < 2; lun++) {
            assertSense(
                    run(device, A, lun, TEST_UNIT_READY, 0, null),
                    SenseKey.UNIT_ATTENTION,
                    AdditionalSense.SOME_COMMANDS_CLEARED_BY_ISCSI_PROTOCOL_EVENT);
        }
        assertEquals(
                ScsiStatus.GOOD,
                run(device, B, 0, TEST_UNIT_READY, 0, null).status(),
                "the other nexus lost nothing");
    }

    @Test
    void aProtocolEventThatEndedNothingTellsNobody() {
        assertTrue(manager.terminatedByProtocolEvent(A, List.of()).isEmpty());
        assertEquals(ScsiStatus.GOOD, run(device, A, 0, TEST_UNIT_READY, 0, null).status());
    }

    @Test
    void aUnitTheNexusCannotSeeDoesNotExistForIt() {
        device.masking().restrict("iqn.2026-01.org.example:a", Set.of(1));
        CompletableFuture<ScsiOutcome> b0 = stuckWrite(B, 0, 1);
        assertFalse(manager.abortTaskSet(A, LunAddress.encode(0)).unitFound(), "masked from A");
        assertFalse(manager.clearTaskSet(A, LunAddress.encode(0)).unitFound());
        assertFalse(manager.logicalUnitReset(A, LunAddress.encode(7)).unitFound(), "no LUN 7");
        assertFalse(b0.isDone(), "nothing happened to the unit");
        assertTrue(manager.abortTaskSet(B, LunAddress.encode(0)).unitFound());
    }
}
