package org.iscsilab.target.spc;

import org.iscsilab.target.lu.CommandHandler;
import org.iscsilab.target.lu.CommandSet;
import org.iscsilab.target.lu.LogicalUnit;
import org.iscsilab.target.lu.ScsiOutcome;
import org.iscsilab.target.lu.ScsiTask;
import org.iscsilab.target.scsi.AdditionalSense;
import org.iscsilab.target.scsi.ScsiOpcode;
import org.iscsilab.target.scsi.SenseData;
import org.iscsilab.target.scsi.SenseException;
import org.iscsilab.target.scsi.SenseKey;

/** Primary commands (SPC-5) every logical unit supports. */
public final class SpcCommands {
    private SpcCommands() {
    }

    public static void registerInto(CommandSet set) {
        set.add(ScsiOpcode.TEST_UNIT_READY, CommandHandler.immediate((lu, t) -> ScsiOutcome.good()));
        set.add(ScsiOpcode.INQUIRY, CommandHandler.immediate(Inquiry::execute));
        set.add(ScsiOpcode.REQUEST_SENSE, CommandHandler.immediate(SpcCommands::requestSense));
        set.add(ScsiOpcode.MODE_SENSE_6, CommandHandler.immediate(ModeSense::execute));
        set.add(ScsiOpcode.MODE_SENSE_10, CommandHandler.immediate(ModeSense::execute));
    }

    /**
     * SPC-5 §6.39 REQUEST SENSE: returns a pending unit attention (and clears it) or NO SENSE,
     * in the format the DESC bit asks for.
     */
    static ScsiOutcome requestSense(LogicalUnit lu, ScsiTask task) {
        boolean desc = task.cdb().bit(1, 0);
        int allocation = task.cdb().u8(4);
        SenseData pending = lu.unitAttentions().take(task.nexus());
        SenseData sense = pending != null ? pending : SenseData.of(SenseKey.NO_SENSE, AdditionalSense.NO_ADDITIONAL_SENSE);
        return ScsiOutcome.dataIn(sense.encode(desc), allocation);
    }

    static void requireZero(ScsiTask task, int offset, int mask) {
        if ((task.cdb().u8(offset) & mask) != 0) {
            throw SenseException.invalidFieldInCdb(offset);
        }
    }
}
