package org.iscsilab.core.lu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.core.ScsiTestSupport;
import org.iscsilab.scsi.Cdb;
import org.junit.jupiter.api.Test;

/**
 * When tasks start by their task attribute (SAM-5 §8.6), and what an abort does to the ones
 * waiting.
 */
class TaskSetTest {
    private final TaskSet set = new TaskSet();

    /** The order in which tasks started, by tag. */
    private final List<Long> started = new ArrayList<>();

    /** Each started task's outcome, completed by the test when it chooses. */
    private final List<CompletableFuture<ScsiOutcome>> running = new ArrayList<>();

    private CompletableFuture<ScsiOutcome> submit(long tag, TaskAttribute attribute) {
        ScsiTask task =
                new ScsiTask(
                        ScsiTestSupport.NEXUS,
                        0,
                        Cdb.of(0, 0, 0, 0, 0, 0),
                        tag,
                        attribute,
                        0,
                        DataOutSource.NONE);
        return set.submit(
                task,
                t -> {
                    started.add(tag);
                    CompletableFuture<ScsiOutcome> f = new CompletableFuture<>();
                    running.add(f);
                    return f;
                });
    }

    /** Completes the task that started n-th. */
    private void complete(int n) {
        running.get(n).complete(ScsiOutcome.good());
    }

    @Test
    void simpleTasksStartOnArrival() {
        submit(1, TaskAttribute.SIMPLE);
        submit(2, TaskAttribute.SIMPLE);
        submit(3, TaskAttribute.UNTAGGED);
        assertEquals(List.of(1L, 2L, 3L), started);
        assertEquals(0, set.dormant());
    }

    @Test
    void anOrderedTaskWaitsForEveryOlderTaskAndHoldsBackTheNewerOnes() {
        submit(1, TaskAttribute.SIMPLE);
        submit(2, TaskAttribute.SIMPLE);
        CompletableFuture<ScsiOutcome> ordered = submit(3, TaskAttribute.ORDERED);
        submit(4, TaskAttribute.SIMPLE);
        assertEquals(List.of(1L, 2L), started, "ORDERED and what came after it wait");
        assertEquals(2, set.dormant());
        complete(0);
        assertEquals(List.of(1L, 2L), started, "one older task is still running");
        complete(1);
        assertEquals(
                List.of(1L, 2L, 3L),
                started,
                "all older tasks done: the ORDERED task starts alone");
        complete(2);
        assertTrue(ordered.isDone(), "the caller of a task that waited gets its outcome");
        assertEquals(List.of(1L, 2L, 3L, 4L), started);
        assertEquals(0, set.dormant());
    }

    @Test
    void headOfQueueStartsAtOnceAndTasksArrivingAfterItWaitForIt() {
        submit(1, TaskAttribute.SIMPLE);
        submit(2, TaskAttribute.ORDERED);
        submit(3, TaskAttribute.HEAD_OF_QUEUE);
        submit(4, TaskAttribute.SIMPLE);
        assertEquals(List.of(1L, 3L), started, "HEAD OF QUEUE jumps the waiting ORDERED task");
        complete(1); // the HEAD OF QUEUE task
        assertEquals(List.of(1L, 3L), started, "the ORDERED task still waits for task 1");
        complete(0);
        assertEquals(List.of(1L, 3L, 2L), started);
        complete(2);
        assertEquals(List.of(1L, 3L, 2L, 4L), started);
    }

    @Test
    void abortingTheOrderedTaskReleasesTheTasksBehindIt() {
        submit(1, TaskAttribute.SIMPLE);
        CompletableFuture<ScsiOutcome> ordered = submit(2, TaskAttribute.ORDERED);
        CompletableFuture<ScsiOutcome> behind = submit(3, TaskAttribute.SIMPLE);
        List<ScsiTask> aborted = set.abort(t -> t.tag() == 2);
        assertEquals(1, aborted.size());
        assertTrue(ordered.isCancelled() || ordered.isCompletedExceptionally());
        assertEquals(List.of(1L, 3L), started, "nothing holds task 3 back any more");
        assertFalse(behind.isDone());
        assertEquals(2, set.size());
    }

    @Test
    void anAbortedDormantTaskNeverStarts() {
        submit(1, TaskAttribute.ORDERED);
        CompletableFuture<ScsiOutcome> dormant = submit(2, TaskAttribute.SIMPLE);
        set.abort(t -> t.tag() == 2);
        assertTrue(dormant.isCompletedExceptionally());
        complete(0);
        assertEquals(List.of(1L), started);
        assertEquals(0, set.size());
    }

    @Test
    void aTaskLeavesTheSetWhenItCompletes() {
        submit(1, TaskAttribute.SIMPLE);
        assertEquals(1, set.size());
        complete(0);
        assertEquals(0, set.size());
    }
}
