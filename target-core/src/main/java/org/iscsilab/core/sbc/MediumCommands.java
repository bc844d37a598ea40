package org.iscsilab.core.sbc;

import org.iscsilab.core.lu.CommandDescriptor;
import org.iscsilab.core.lu.CommandHandler;
import org.iscsilab.core.lu.CommandSet;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseException;

/** START STOP UNIT (SBC-4 §5.25) and PREVENT ALLOW MEDIUM REMOVAL (SPC-5 §6.17). */
public final class MediumCommands {
    private MediumCommands() {}

    public static void registerInto(CommandSet set) {
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.START_STOP_UNIT,
                        "START STOP UNIT",
                        "1b 01 00 0f f7 00",
                        CommandHandler.immediate(MediumCommands::startStopUnit)));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.PREVENT_ALLOW_MEDIUM_REMOVAL,
                        "PREVENT ALLOW MEDIUM REMOVAL",
                        "1e 00 00 00 03 00",
                        CommandHandler.immediate(MediumCommands::preventAllow)));
    }

    static ScsiOutcome startStopUnit(LogicalUnit lu, ScsiTask task) {
        int b4 = task.cdb().u8(4);
        int powerCondition = b4 >> 4;
        boolean loej = (b4 & 0x02) != 0;
        boolean start = (b4 & 0x01) != 0;
        // SBC-4 §5.25: POWER CONDITION values other than START_VALID (0h) change power states we do
        // not model
        if (powerCondition != 0) {
            return ScsiOutcome
                    .good(); // the LOEJ and START bits are ignored for a power condition request
        }
        if (loej) {
            if (!lu.removable()) {
                throw SenseException.invalidFieldInCdb(4, 1);
            }
            lu.medium().loadOrEject(task.nexus(), start);
        }
        return ScsiOutcome.good();
    }

    static ScsiOutcome preventAllow(LogicalUnit lu, ScsiTask task) {
        int prevent = task.cdb().u8(4) & 0x03;
        if (prevent > 1) { // 10b and 11b are obsolete for direct-access devices
            throw SenseException.invalidFieldInCdb(4, 1);
        }
        if (lu.removable()) {
            lu.medium().prevent(task.nexus(), prevent == 1);
        }
        return ScsiOutcome.good();
    }
}
