package org.iscsilab.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.LunAddress;

/**
 * The task manager of a SCSI target device (SAM-5 §7): carries out task management functions on the
 * task sets of its logical units, without knowing the transport. Each function returns the tasks it
 * aborted, so the transport can discard what it holds for them (queued data, pending transfers) and
 * send no status for them. Functions addressed to a LUN the requesting I_T nexus cannot see report
 * that the LUN does not exist.
 */
public final class TaskManager {
    /**
     * What a function did. {@code unitFound} false: the addressed logical unit does not exist for
     * the requesting I_T nexus (the transport's "LUN does not exist" response).
     */
    public record Result(boolean unitFound, List<ScsiTask> aborted) {
        static final Result NO_UNIT = new Result(false, List.of());
    }

    /**
     * A command the transport ended itself, by its logical unit's LUN field and its task tag;
     * {@code delivered} when it reached the device server (and so may be in a task set), false when
     * it ended before that, waiting in the transport for its turn.
     */
    public record TerminatedCommand(long lunField, long tag, boolean delivered) {}

    private final ScsiTargetDevice device;

    TaskManager(ScsiTargetDevice device) {
        this.device = device;
    }

    private LogicalUnit unit(ItNexus nexus, long lunField) {
        int lun = LunAddress.decode(lunField);
        return lun < 0 || !device.masking().visible(nexus, lun) ? null : device.logicalUnit(lun);
    }

    /** SAM-5 §7.2 ABORT TASK: the task with this tag from this I_T_L nexus. */
    public Result abortTask(ItNexus nexus, long lunField, long tag) {
        LogicalUnit lu = unit(nexus, lunField);
        if (lu == null) {
            return Result.NO_UNIT;
        }
        return new Result(true, lu.taskSet().abort(t -> t.tag() == tag && t.nexus().equals(nexus)));
    }

    /**
     * SAM-5 §7.3 ABORT TASK SET: every task of this I_T nexus on the unit; other nexuses' tasks go
     * on.
     */
    public Result abortTaskSet(ItNexus nexus, long lunField) {
        LogicalUnit lu = unit(nexus, lunField);
        if (lu == null) {
            return Result.NO_UNIT;
        }
        return new Result(true, lu.taskSet().abort(t -> t.nexus().equals(nexus)));
    }

    /**
     * SAM-5 §7.5 CLEAR TASK SET: every task on the unit, from every I_T nexus. The other nexuses
     * that lost tasks get COMMANDS CLEARED BY ANOTHER INITIATOR (2F/00), as the TAS bit 0 of the
     * Control mode page calls for (SPC-5).
     */
    public Result clearTaskSet(ItNexus nexus, long lunField) {
        LogicalUnit lu = unit(nexus, lunField);
        if (lu == null) {
            return Result.NO_UNIT;
        }
        List<ScsiTask> aborted = lu.taskSet().abort(t -> true);
        Set<ItNexus> others = new LinkedHashSet<>();
        for (ScsiTask t : aborted) {
            if (!t.nexus().equals(nexus)) {
                others.add(t.nexus());
            }
        }
        others.forEach(
                n ->
                        lu.unitAttentions()
                                .establish(
                                        n, AdditionalSense.COMMANDS_CLEARED_BY_ANOTHER_INITIATOR));
        return new Result(true, aborted);
    }

    /**
     * SAM-5 §7.7 LOGICAL UNIT RESET: every task on the unit is aborted, then the unit resets
     * (reservations, mode parameters, medium) and every I_T nexus gets a reset unit attention.
     */
    public Result logicalUnitReset(ItNexus nexus, long lunField) {
        LogicalUnit lu = unit(nexus, lunField);
        if (lu == null) {
            return Result.NO_UNIT;
        }
        List<ScsiTask> aborted = lu.taskSet().abort(t -> true);
        lu.reset();
        return new Result(true, aborted);
    }

    /**
     * A target reset (the transport's TARGET WARM RESET or TARGET COLD RESET, RFC 7143 §11.5.1): a
     * logical unit reset of every unit.
     */
    public Result targetReset() {
        List<ScsiTask> aborted = new ArrayList<>();
        for (LogicalUnit lu : device.logicalUnits()) {
            aborted.addAll(lu.taskSet().abort(t -> true));
            lu.reset();
        }
        return new Result(true, aborted);
    }

    /**
     * Commands of this I_T nexus that a protocol event of the transport ended without a response,
     * not a task management function (an iSCSI connection that leaves its session takes its tasks
     * with it, RFC 7143 §6.3.4, §7.6): the delivered ones are aborted in their task sets, and each
     * logical unit that lost a command, delivered or not, reports it to the nexus with the unit
     * attention SOME COMMANDS CLEARED BY ISCSI PROTOCOL EVENT (47/7F). Returns the tasks aborted.
     */
    public List<ScsiTask> terminatedByProtocolEvent(
            ItNexus nexus, List<TerminatedCommand> commands) {
        List<ScsiTask> aborted = new ArrayList<>();
        Set<Integer> luns = new LinkedHashSet<>();
        for (TerminatedCommand c : commands) {
            if (c.delivered()) {
                aborted.addAll(abortTask(nexus, c.lunField(), c.tag()).aborted());
            }
            luns.add(LunAddress.decode(c.lunField()));
        }
        for (int lun : luns) {
            LogicalUnit lu = device.logicalUnit(lun);
            if (lu != null) {
                lu.unitAttentions()
                        .establish(
                                nexus,
                                AdditionalSense.SOME_COMMANDS_CLEARED_BY_ISCSI_PROTOCOL_EVENT);
            }
        }
        return aborted;
    }

    /**
     * SAM-5 §6.3.4 I_T nexus loss: the nexus's tasks are aborted on every unit and each unit
     * forgets its state for the nexus (unit attentions, reservations held through it, copies).
     */
    public List<ScsiTask> nexusLost(ItNexus nexus) {
        List<ScsiTask> aborted = new ArrayList<>();
        for (LogicalUnit lu : device.logicalUnits()) {
            aborted.addAll(lu.taskSet().abort(t -> t.nexus().equals(nexus)));
            lu.nexusLost(nexus);
        }
        return aborted;
    }
}
