package org.iscsilab.core.spc;

import org.iscsilab.core.lu.CommandDescriptor;
import org.iscsilab.core.lu.CommandHandler;
import org.iscsilab.core.lu.CommandSet;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseKey;

/**
 * Primary commands (SPC-5) every logical unit supports, with their CDB usage data (SPC-5 §6.35.3).
 */
public final class SpcCommands {
    private SpcCommands() {}

    public static void registerInto(CommandSet set) {
        TargetPortGroupCommands.registerInto(set);
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.TEST_UNIT_READY,
                        "TEST UNIT READY",
                        "00 00 00 00 00 00",
                        CommandHandler.immediate((lu, t) -> ScsiOutcome.good())));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.REQUEST_SENSE,
                        "REQUEST SENSE",
                        "03 01 00 00 ff 00",
                        CommandHandler.immediate(SpcCommands::requestSense)));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.INQUIRY,
                        "INQUIRY",
                        "12 01 ff ff ff 00",
                        CommandHandler.immediate(Inquiry::execute)));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.MODE_SENSE_6,
                        "MODE SENSE(6)",
                        "1a 08 ff ff ff 00",
                        CommandHandler.immediate(ModeSense::execute)));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.MODE_SENSE_10,
                        "MODE SENSE(10)",
                        "5a 18 ff ff 00 00 00 ff ff 00",
                        CommandHandler.immediate(ModeSense::execute)));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.MODE_SELECT_6,
                        "MODE SELECT(6)",
                        "15 11 00 00 ff 00",
                        ModeSelect::execute));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.MODE_SELECT_10,
                        "MODE SELECT(10)",
                        "55 11 00 00 00 00 00 ff ff 00",
                        ModeSelect::execute));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.REPORT_LUNS,
                        "REPORT LUNS",
                        "a0 00 ff 00 00 00 ff ff ff ff 00 00",
                        CommandHandler.immediate((lu, t) -> lu.reportLuns(t))));
        set.add(
                CommandDescriptor.withServiceAction(
                        ScsiOpcode.MAINTENANCE_IN,
                        ScsiOpcode.SA_REPORT_SUPPORTED_OPCODES,
                        "REPORT SUPPORTED OPERATION CODES",
                        "a3 0c 87 ff ff ff ff ff ff ff 00 00",
                        CommandHandler.immediate(ReportSupportedOperationCodes::execute)));
        set.add(
                CommandDescriptor.withServiceAction(
                        ScsiOpcode.MAINTENANCE_IN,
                        ScsiOpcode.SA_REPORT_SUPPORTED_TMFS,
                        "REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS",
                        "a3 0d 80 00 00 00 ff ff ff ff 00 00",
                        CommandHandler.immediate(
                                SpcCommands::reportSupportedTaskManagementFunctions)));
    }

    /**
     * SPC-5 §6.39 REQUEST SENSE: returns a pending unit attention (and clears it) or NO SENSE, in
     * the format the DESC bit asks for.
     */
    static ScsiOutcome requestSense(LogicalUnit lu, ScsiTask task) {
        boolean desc = task.cdb().bit(1, 0);
        int allocation = task.cdb().u8(4);
        SenseData pending = lu.unitAttentions().take(task.nexus());
        SenseData notReady = pending != null ? null : lu.notReadySense(task.nexus());
        SenseData sense =
                pending != null
                        ? pending
                        : notReady != null
                                ? notReady
                                : SenseData.of(
                                        SenseKey.NO_SENSE, AdditionalSense.NO_ADDITIONAL_SENSE);
        return ScsiOutcome.dataIn(sense.encode(desc), allocation);
    }

    /**
     * SPC-5 §6.37: ABORT TASK, ABORT TASK SET, CLEAR TASK SET, LOGICAL UNIT RESET and TARGET RESET
     * (warm and cold) are supported; with REPD the 16-byte extended form.
     */
    static ScsiOutcome reportSupportedTaskManagementFunctions(LogicalUnit lu, ScsiTask task) {
        boolean repd = task.cdb().bit(2, 7);
        int allocation = (int) Math.min(Integer.MAX_VALUE, task.cdb().u32(6));
        byte[] b = new byte[repd ? 16 : 4];
        b[0] = (byte) 0xDA; // ATS, ATSS, CTSS, LURS, TRS
        if (repd) {
            b[3] = 0x0C; // ADDITIONAL DATA LENGTH
        }
        return ScsiOutcome.dataIn(b, allocation);
    }
}
