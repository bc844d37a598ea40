package org.iscsilab.core.spc;

import java.io.ByteArrayOutputStream;
import org.iscsilab.core.lu.CommandDescriptor;
import org.iscsilab.core.lu.CommandSet;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.scsi.SenseException;

/** SPC-5 §6.35 REPORT SUPPORTED OPERATION CODES, from the logical unit's {@link CommandSet}. */
final class ReportSupportedOperationCodes {
    private static final int ALL = 0;
    private static final int ONE_OPCODE = 1;
    private static final int ONE_OPCODE_AND_SERVICE_ACTION = 2;
    private static final int ONE_OPCODE_EITHER = 3;

    /** SPC-5 §6.35.4: the one-command form says "supported as the standard defines it". */
    private static final int SUPPORT_STANDARD = 0b011;

    private static final int SUPPORT_NOT = 0b001;

    private ReportSupportedOperationCodes() {}

    static ScsiOutcome execute(LogicalUnit lu, ScsiTask task) {
        boolean rctd = task.cdb().bit(2, 7);
        int options = task.cdb().u8(2) & 0x07;
        int opcode = task.cdb().u8(3);
        int serviceAction = task.cdb().u16(4);
        int allocation = (int) Math.min(Integer.MAX_VALUE, task.cdb().u32(6));
        CommandSet set = lu.offeredCommands();
        return switch (options) {
            case ALL -> ScsiOutcome.dataIn(all(set, rctd), allocation);
            case ONE_OPCODE -> {
                if (set.hasServiceActions(opcode)) { // 001b is for opcodes without service actions
                    throw SenseException.invalidFieldInCdb(2);
                }
                yield ScsiOutcome.dataIn(one(set.find(opcode, -1), rctd), allocation);
            }
            case ONE_OPCODE_AND_SERVICE_ACTION -> {
                if (set.supports(opcode) && !set.hasServiceActions(opcode)) {
                    throw SenseException.invalidFieldInCdb(2);
                }
                yield ScsiOutcome.dataIn(one(set.find(opcode, serviceAction), rctd), allocation);
            }
            case ONE_OPCODE_EITHER ->
                    ScsiOutcome.dataIn(
                            one(
                                    set.hasServiceActions(opcode)
                                            ? set.find(opcode, serviceAction)
                                            : set.find(opcode, -1),
                                    rctd),
                            allocation);
            default -> throw SenseException.invalidFieldInCdb(2);
        };
    }

    private static byte[] all(CommandSet set, boolean rctd) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (CommandDescriptor d : set.all()) {
            body.write(d.opcode());
            body.write(0);
            body.write(d.hasServiceAction() ? d.serviceAction() >> 8 : 0);
            body.write(d.hasServiceAction() ? d.serviceAction() : 0);
            body.write(0);
            body.write((rctd ? 0x02 : 0) | (d.hasServiceAction() ? 0x01 : 0)); // CTDP, SERVACTV
            body.write(d.cdbLength() >> 8);
            body.write(d.cdbLength());
            if (rctd) {
                body.writeBytes(timeouts(d));
            }
        }
        int n = body.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] one(CommandDescriptor d, boolean rctd) {
        if (d == null) {
            return new byte[] {0, SUPPORT_NOT, 0, 0};
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write((rctd ? 0x80 : 0) | SUPPORT_STANDARD);
        out.write(d.cdbLength() >> 8);
        out.write(d.cdbLength());
        out.writeBytes(d.usageData());
        if (rctd) {
            out.writeBytes(timeouts(d));
        }
        return out.toByteArray();
    }

    /** SPC-5 §6.35.5 command timeouts descriptor: length 0Ah, nominal and recommended timeouts. */
    private static byte[] timeouts(CommandDescriptor d) {
        int t = d.nominalTimeoutSeconds();
        return new byte[] {
            0,
            0x0A,
            0,
            0,
            (byte) (t >>> 24),
            (byte) (t >>> 16),
            (byte) (t >>> 8),
            (byte) t,
            (byte) (t >>> 24),
            (byte) (t >>> 16),
            (byte) (t >>> 8),
            (byte) t
        };
    }
}
