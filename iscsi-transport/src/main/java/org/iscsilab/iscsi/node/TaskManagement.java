package org.iscsilab.iscsi.node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.iscsilab.core.TaskManager;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.iscsi.pdu.SerialNumbers;
import org.iscsilab.iscsi.pdu.TaskManagementRequest;
import org.iscsilab.iscsi.pdu.TaskManagementResponse;
import org.slf4j.Logger;

/**
 * The iSCSI side of task management (RFC 7143 §11.5.1): decodes a request, has the SCSI target
 * device's task manager (SAM-5 §7) carry it out, drops what the sessions hold for the aborted
 * tasks, and answers. CmdSN bookkeeping (ABORT TASK for a command that never arrived) and the
 * connection side of a cold reset stay here.
 */
final class TaskManagement {
    private static final Logger log = TargetLog.get(TaskManagement.class);

    private TaskManagement() {}

    static void handle(TargetSession session, TargetConnection conn, TaskManagementRequest t) {
        if (session.discovery()) {
            session.respondTmf(conn, t, TaskManagementResponse.FUNCTION_REJECTED);
            return;
        }
        int function = t.function();
        if (conn.faults().ignoresTaskManagement()) {
            log.info(
                    "session {}: task management function {} left unanswered by a fault rule",
                    session.tsih(),
                    function);
            session.recordTaskManagement(t, -1);
            return;
        }
        log.info(
                "session {}: task management function {} on LUN field {}",
                session.tsih(),
                function,
                Long.toHexString(t.lun()));
        TaskManager manager = session.target().device().taskManager();
        ItNexus nexus = session.nexus();
        long lun = t.lun();
        switch (function) {
            case TaskManagementRequest.ABORT_TASK -> abortTask(session, conn, t);
            case TaskManagementRequest.ABORT_TASK_SET ->
                    finish(
                            session,
                            conn,
                            t,
                            manager.abortTaskSet(nexus, lun),
                            List.of(session),
                            onLun(lun),
                            () -> {});
            case TaskManagementRequest.CLEAR_TASK_SET ->
                    finish(
                            session,
                            conn,
                            t,
                            manager.clearTaskSet(nexus, lun),
                            List.of(session),
                            onLun(lun),
                            () -> {});
            case TaskManagementRequest.LOGICAL_UNIT_RESET ->
                    finish(
                            session,
                            conn,
                            t,
                            manager.logicalUnitReset(nexus, lun),
                            List.of(session),
                            onLun(lun),
                            () -> {});
            case TaskManagementRequest.TARGET_WARM_RESET ->
                    finish(
                            session,
                            conn,
                            t,
                            manager.targetReset(),
                            session.target().sessions(),
                            task -> true,
                            () -> {});
            case TaskManagementRequest.TARGET_COLD_RESET -> {
                List<TargetSession> all = session.target().sessions();
                // RFC 7143 §11.5.1: after a cold reset the target closes all connections; the
                // sessions end at once so nothing more runs on them meanwhile
                finish(
                        session,
                        conn,
                        t,
                        manager.targetReset(),
                        all,
                        task -> true,
                        () -> {
                            all.forEach(TargetSession::endForColdReset);
                            all.forEach(TargetSession::closeConnection);
                        });
            }
            case TaskManagementRequest.CLEAR_ACA ->
                    respond(session, conn, t, TaskManagementResponse.FUNCTION_NOT_SUPPORTED);
            case TaskManagementRequest.TASK_REASSIGN -> session.recovery().reassign(conn, t);
            default -> respond(session, conn, t, TaskManagementResponse.FUNCTION_REJECTED);
        }
    }

    /** RFC 7143 §11.5.1 ABORT TASK, cases a, b and c. */
    private static void abortTask(
            TargetSession session, TargetConnection conn, TaskManagementRequest t) {
        TargetTask task = session.task(t.referencedTaskTag());
        if (task != null) {
            if (task.lunField() != t.lun()) {
                respond(session, conn, t, TaskManagementResponse.TASK_DOES_NOT_EXIST);
                return;
            }
            if (task.delivered()) { // a) in the task set: the device's task manager aborts it
                session.target()
                        .device()
                        .taskManager()
                        .abortTask(session.nexus(), t.lun(), t.referencedTaskTag() & 0xFFFFFFFFL);
            }
            session.abortTasks(x -> x == task)
                    .thenRun(
                            () ->
                                    respond(
                                            session,
                                            conn,
                                            t,
                                            TaskManagementResponse.FUNCTION_COMPLETE));
            return;
        }
        CommandSequencer seq = session.sequencer();
        if (SerialNumbers.lessThan(t.refCmdSn(), t.cmdSn()) && seq.consume(t.refCmdSn())) {
            // b) the referenced command never arrived: count its CmdSN as received
            respond(session, conn, t, TaskManagementResponse.FUNCTION_COMPLETE);
            return;
        }
        respond(session, conn, t, TaskManagementResponse.TASK_DOES_NOT_EXIST);
    }

    private static Predicate<TargetTask> onLun(long lunField) {
        return task -> task.lunField() == lunField;
    }

    /**
     * Completes a function the device's task manager carried out: the sessions drop what they hold
     * for the tasks it aborted (no status goes out for them, RFC 7143 §11.5.1), and {@code
     * sessions} also drop their commands in scope that had not reached the device yet (still
     * waiting for their CmdSN); then the response goes out and {@code after} runs.
     */
    private static void finish(
            TargetSession session,
            TargetConnection conn,
            TaskManagementRequest t,
            TaskManager.Result r,
            List<TargetSession> sessions,
            Predicate<TargetTask> scope,
            Runnable after) {
        if (!r.unitFound()) {
            respond(session, conn, t, TaskManagementResponse.LUN_DOES_NOT_EXIST);
            return;
        }
        Map<ItNexus, Set<Integer>> abortedTags = new HashMap<>();
        for (ScsiTask aborted : r.aborted()) {
            abortedTags
                    .computeIfAbsent(aborted.nexus(), n -> new HashSet<>())
                    .add((int) aborted.tag());
        }
        List<CompletableFuture<Integer>> done = new ArrayList<>();
        for (TargetSession s : session.target().sessions()) {
            Set<Integer> tags = abortedTags.getOrDefault(s.nexus(), Set.of());
            boolean dropUndelivered = sessions.contains(s);
            if (tags.isEmpty() && !dropUndelivered) {
                continue;
            }
            done.add(
                    s.abortTasks(
                            task ->
                                    tags.contains(task.itt())
                                            || (dropUndelivered
                                                    && !task.delivered()
                                                    && scope.test(task))));
        }
        CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0]))
                .thenRun(
                        () -> {
                            respond(session, conn, t, TaskManagementResponse.FUNCTION_COMPLETE);
                            after.run();
                        });
    }

    private static void respond(
            TargetSession session, TargetConnection conn, TaskManagementRequest t, int response) {
        session.recordTaskManagement(t, response);
        session.runOnLoop(() -> session.respondTmf(conn, t, response));
    }
}
