package org.iscsilab.iscsi.node;

import org.iscsilab.iscsi.pdu.SerialNumbers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.iscsilab.iscsi.pdu.TaskManagementRequest;
import org.iscsilab.iscsi.pdu.TaskManagementResponse;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.scsi.AdditionalSense;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Task management functions (RFC 7143 §11.5.1, SAM-5 §7) for one session's request. */
final class TaskManagement {
    private static final Logger log = LoggerFactory.getLogger(TaskManagement.class);

    private TaskManagement() {
    }

    static void handle(TargetSession session, TaskManagementRequest t) {
        if (session.discovery()) {
            session.respondTmf(t, TaskManagementResponse.FUNCTION_REJECTED);
            return;
        }
        int function = t.function();
        if (session.ignoresTaskManagement()) {
            log.info("session {}: task management function {} left unanswered by a fault rule", session.tsih(),
                    function);
            session.recordTaskManagement(t, -1);
            return;
        }
        log.info("session {}: task management function {} on LUN field {}", session.tsih(), function,
                Long.toHexString(t.lun()));
        switch (function) {
            case TaskManagementRequest.ABORT_TASK -> abortTask(session, t);
            case TaskManagementRequest.ABORT_TASK_SET -> withLun(session, t, lu ->
                    session.abortTasks(onLun(t.lun())).thenRun(() -> respond(session, t,
                            TaskManagementResponse.FUNCTION_COMPLETE)));
            case TaskManagementRequest.CLEAR_TASK_SET -> withLun(session, t, lu ->
                    abortEverywhere(session, onLun(t.lun()), true).thenRun(() -> respond(session, t,
                            TaskManagementResponse.FUNCTION_COMPLETE)));
            case TaskManagementRequest.LOGICAL_UNIT_RESET -> withLun(session, t, lu ->
                    abortEverywhere(session, onLun(t.lun()), false).thenRun(() -> {
                        lu.reset(); // SAM-5 §7.7: unit attention for every I_T nexus
                        respond(session, t, TaskManagementResponse.FUNCTION_COMPLETE);
                    }));
            case TaskManagementRequest.TARGET_WARM_RESET, TaskManagementRequest.TARGET_COLD_RESET ->
                    abortEverywhere(session, task -> true, false).thenRun(() -> {
                        session.target().device().logicalUnits().forEach(LogicalUnit::reset);
                        List<TargetSession> all = session.target().sessions();
                        if (function == TaskManagementRequest.TARGET_COLD_RESET) {
                            // RFC 7143 §11.5.1: after a cold reset the target closes all connections;
                            // the sessions end now so nothing more runs on them meanwhile
                            all.forEach(TargetSession::endForColdReset);
                        }
                        respond(session, t, TaskManagementResponse.FUNCTION_COMPLETE);
                        if (function == TaskManagementRequest.TARGET_COLD_RESET) {
                            all.forEach(TargetSession::closeConnection);
                        }
                    });
            case TaskManagementRequest.CLEAR_ACA -> respond(session, t, TaskManagementResponse.FUNCTION_NOT_SUPPORTED);
            case TaskManagementRequest.TASK_REASSIGN ->
                    // ErrorRecoveryLevel 0: no allegiance reassignment (RFC 7143 §11.5.1)
                    respond(session, t, TaskManagementResponse.REASSIGNMENT_NOT_SUPPORTED);
            default -> respond(session, t, TaskManagementResponse.FUNCTION_REJECTED);
        }
    }

    /** RFC 7143 §11.5.1 ABORT TASK, cases a, b and c. */
    private static void abortTask(TargetSession session, TaskManagementRequest t) {
        TargetTask task = session.task(t.referencedTaskTag());
        if (task != null) {
            if (task.lunField() != t.lun()) {
                respond(session, t, TaskManagementResponse.TASK_DOES_NOT_EXIST);
                return;
            }
            session.abortTasks(x -> x == task).thenRun(() ->
                    respond(session, t, TaskManagementResponse.FUNCTION_COMPLETE));
            return;
        }
        CommandSequencer seq = session.sequencer();
        if (SerialNumbers.lessThan(t.refCmdSn(), t.cmdSn()) && seq.consume(t.refCmdSn())) {
            // b) the referenced command never arrived: count its CmdSN as received
            respond(session, t, TaskManagementResponse.FUNCTION_COMPLETE);
            return;
        }
        respond(session, t, TaskManagementResponse.TASK_DOES_NOT_EXIST);
    }

    private interface LunAction {
        void run(LogicalUnit lu);
    }

    private static void withLun(TargetSession session, TaskManagementRequest t, LunAction action) {
        int lun = LunAddress.decode(t.lun());
        LogicalUnit lu = lun < 0 ? null : session.target().device().logicalUnit(lun);
        if (lu == null) {
            respond(session, t, TaskManagementResponse.LUN_DOES_NOT_EXIST);
            return;
        }
        action.run(lu);
    }

    private static Predicate<TargetTask> onLun(long lunField) {
        return task -> task.lunField() == lunField;
    }

    /**
     * Aborts matching tasks in every session of the target. With {@code notifyOthers}, other
     * nexuses that lost tasks get COMMANDS CLEARED BY ANOTHER INITIATOR (SPC-5 §7.5.9, TST 000b).
     */
    private static CompletableFuture<Void> abortEverywhere(TargetSession session, Predicate<TargetTask> which,
                                                           boolean notifyOthers) {
        List<CompletableFuture<Integer>> all = new ArrayList<>();
        for (TargetSession s : session.target().sessions()) {
            CompletableFuture<Integer> f = s.abortTasks(which);
            if (notifyOthers && s != session) {
                f = f.thenApply(n -> {
                    if (n > 0) {
                        session.target().device().logicalUnits().forEach(lu -> lu.unitAttentions()
                                .establish(s.nexus(), AdditionalSense.COMMANDS_CLEARED_BY_ANOTHER_INITIATOR));
                    }
                    return n;
                });
            }
            all.add(f);
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
    }

    private static void respond(TargetSession session, TaskManagementRequest t, int response) {
        session.recordTaskManagement(t, response);
        session.runOnLoop(() -> session.respondTmf(t, response));
    }
}
