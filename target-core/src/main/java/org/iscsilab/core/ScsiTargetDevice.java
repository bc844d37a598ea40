package org.iscsilab.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import org.iscsilab.core.alua.Alua;
import org.iscsilab.core.fault.ScsiFaultAction;
import org.iscsilab.core.fault.ScsiFaults;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.LunInventory;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.spc.Inquiry;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseException;
import org.iscsilab.scsi.SenseKey;
import org.slf4j.Logger;

/**
 * A SCSI target device (SAM-5 §4.6): its logical units by number. It routes each command to its
 * logical unit and answers what belongs to the target itself: REPORT LUNS (SPC-5 §6.33) and
 * commands addressed to a LUN that does not exist (SPC-5 §6.7.2 peripheral qualifier, SAM-5 §5.9).
 */
public final class ScsiTargetDevice implements LunInventory, AutoCloseable {
    private static final Logger log = TargetLog.get(ScsiTargetDevice.class);

    /** SPC-5 §6.7.2: peripheral qualifier 011b, device type 1Fh: no logical unit at this LUN. */
    private static final int NO_LUN_PERIPHERAL = 0x7F;

    private final String name;
    private final ConcurrentSkipListMap<Integer, LogicalUnit> units = new ConcurrentSkipListMap<>();
    private final LunMasking masking = new LunMasking();
    private final TaskManager taskManager = new TaskManager(this);
    private final Alua alua =
            new Alua(() -> units.values().stream().map(LogicalUnit::unitAttentions).toList());

    public ScsiTargetDevice(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public void addLogicalUnit(LogicalUnit lu) {
        if (units.putIfAbsent(lu.lun(), lu) != null) {
            throw new IllegalArgumentException("LUN " + lu.lun() + " already exists on " + name);
        }
        lu.attachInventory(this);
        inventoryChanged(lu.lun());
    }

    /**
     * Removes a logical unit while initiators are attached: later commands to its LUN get LOGICAL
     * UNIT NOT SUPPORTED, the others report REPORTED LUNS DATA HAS CHANGED (SPC-5 §5.14). Its store
     * is closed (file LUNs are flushed).
     */
    public LogicalUnit removeLogicalUnit(int lun) throws IOException {
        LogicalUnit lu = units.remove(lun);
        if (lu == null) {
            return null;
        }
        inventoryChanged(lun);
        lu.close();
        return lu;
    }

    /**
     * SPC-5 §6.33: the other logical units tell every I_T nexus that REPORT LUNS would answer
     * differently.
     */
    private void inventoryChanged(int changedLun) {
        for (LogicalUnit other : units.values()) {
            if (other.lun() != changedLun) {
                other.unitAttentions()
                        .establishForAll(AdditionalSense.REPORTED_LUNS_DATA_HAS_CHANGED, null);
            }
        }
    }

    public LogicalUnit logicalUnit(int lun) {
        return units.get(lun);
    }

    /** Per-initiator LUN masking; changes apply to the next command. */
    public LunMasking masking() {
        return masking;
    }

    @Override
    public List<LogicalUnit> logicalUnits() {
        return List.copyOf(units.values());
    }

    @Override
    public Alua alua() {
        return alua;
    }

    /**
     * Executes a command on the addressed logical unit, through its task set; the future fails only
     * with a CancellationException, when task management aborts the task.
     */
    public CompletableFuture<ScsiOutcome> execute(ScsiTask task) {
        return execute(task, null);
    }

    /**
     * Executes a command with a fired SCSI fault action (null for none) carried out in its place or
     * around it, inside the task set like the command itself, so task management aborts a hung
     * command as it aborts any other.
     */
    public CompletableFuture<ScsiOutcome> execute(ScsiTask task, ScsiFaultAction fault) {
        LogicalUnit lu = addressed(task);
        if (lu != null) {
            return fault == null
                    ? lu.execute(task)
                    : lu.execute(task, t -> ScsiFaults.apply(fault, t, lu, () -> lu.perform(t)));
        }
        // REPORT LUNS and LUNs without a unit are answered by the device itself, outside any task
        // set
        if (fault == null) {
            return CompletableFuture.completedFuture(answerWithoutUnit(task));
        }
        return ScsiFaults.apply(
                fault,
                task,
                null,
                () -> CompletableFuture.completedFuture(answerWithoutUnit(task)));
    }

    private LogicalUnit addressed(ScsiTask task) {
        if (task.cdb().opcode() == ScsiOpcode.REPORT_LUNS) {
            return null;
        }
        int lun = LunAddress.decode(task.lun());
        return lun < 0 || !masking.visible(task.nexus(), lun) ? null : units.get(lun);
    }

    private ScsiOutcome answerWithoutUnit(ScsiTask task) {
        return task.cdb().opcode() == ScsiOpcode.REPORT_LUNS ? reportLuns(task) : noSuchLun(task);
    }

    /**
     * SPC-5 §6.7.2: a LUN without a logical unit answers INQUIRY with qualifier 011b and all else
     * with 25/00.
     */
    private ScsiOutcome noSuchLun(ScsiTask task) {
        SenseData notSupported =
                SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LOGICAL_UNIT_NOT_SUPPORTED);
        switch (task.cdb().opcode()) {
            case ScsiOpcode.INQUIRY -> {
                if (task.cdb().bit(1, 0)) {
                    return ScsiOutcome.checkCondition(notSupported, false);
                }
                return ScsiOutcome.dataIn(
                        Inquiry.standardData(NO_LUN_PERIPHERAL, null), task.cdb().u16(3));
            }
            case ScsiOpcode.REQUEST_SENSE -> {
                return ScsiOutcome.dataIn(
                        notSupported.encode(task.cdb().bit(1, 0)), task.cdb().u8(4));
            }
            default -> {
                return ScsiOutcome.checkCondition(notSupported, false);
            }
        }
    }

    /** SPC-5 §6.33 REPORT LUNS for SELECT REPORT 00h, 01h and 02h. */
    @Override
    public ScsiOutcome reportLuns(ScsiTask task) {
        int select = task.cdb().u8(2);
        long allocation = task.cdb().u32(6);
        try {
            if (select > 0x02) {
                throw SenseException.invalidFieldInCdb(2);
            }
            if (allocation < 16) { // SPC-5 §6.33: allocation length below 16 is an error
                throw SenseException.invalidFieldInCdb(6);
            }
        } catch (SenseException e) {
            return ScsiOutcome.checkCondition(e.sense(), false);
        }
        // select 01h reports only well-known LUNs, of which we have none
        List<LogicalUnit> listed =
                select == 0x01
                        ? List.of()
                        : logicalUnits().stream()
                                .filter(lu -> masking.visible(task.nexus(), lu.lun()))
                                .toList();
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * listed.size());
        b.putInt(8 * listed.size()).putInt(0);
        for (LogicalUnit lu : listed) {
            b.putLong(LunAddress.encode(lu.lun()));
        }
        return ScsiOutcome.dataIn(b.array(), (int) Math.min(Integer.MAX_VALUE, allocation));
    }

    /**
     * The task manager of this device (SAM-5 §7): task management functions on its units' task
     * sets.
     */
    public TaskManager taskManager() {
        return taskManager;
    }

    /**
     * The I_T nexus ended (SAM-5 §6.3.4): its tasks are aborted and every logical unit forgets its
     * state for it. Returns the aborted tasks.
     */
    public List<ScsiTask> nexusLost(ItNexus nexus) {
        return taskManager.nexusLost(nexus);
    }

    @Override
    public void close() {
        alua.close();
        for (LogicalUnit lu : units.values()) {
            try {
                lu.close();
            } catch (IOException e) {
                log.warn("closing {} of {}: {}", lu, name, e.toString());
            }
        }
    }
}
