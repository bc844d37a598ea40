package org.iscsilab.core;

import java.util.concurrent.Executor;
import org.iscsilab.core.lu.CommandSet;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.LogicalUnitIdentity;
import org.iscsilab.core.lu.UnitFormat;
import org.iscsilab.core.sbc.MediumCommands;
import org.iscsilab.core.sbc.SbcCommands;
import org.iscsilab.core.spc.ReservationCommands;
import org.iscsilab.core.spc.SpcCommands;
import org.iscsilab.core.store.BackingStore;
import org.iscsilab.core.xcopy.ThirdPartyCopyCommands;

/**
 * Makes direct-access logical units with the standard command sets: SPC-5 (primary commands and
 * persistent reservations), SBC-4 (block commands, and the thin-provisioning ones on a thin unit),
 * the removable-medium commands and SPC-5 third-party copy. The unit itself knows none of them; it
 * serves whatever command set it is given.
 */
public final class LogicalUnits {
    private LogicalUnits() {}

    /** The commands a unit of this format serves. */
    public static CommandSet standardCommands(UnitFormat format) {
        CommandSet commands = new CommandSet();
        SpcCommands.registerInto(commands);
        ReservationCommands.registerInto(commands);
        MediumCommands.registerInto(commands);
        SbcCommands.registerInto(commands);
        ThirdPartyCopyCommands.registerInto(commands);
        if (format.thin()) {
            SbcCommands.registerThinInto(
                    commands); // SBC-4 §4.7: UNMAP, WRITE SAME with UNMAP, GET LBA STATUS
        }
        return commands;
    }

    public static LogicalUnit create(
            int lun,
            LogicalUnitIdentity identity,
            BackingStore store,
            UnitFormat format,
            Executor ioExecutor) {
        return new LogicalUnit(lun, identity, store, format, standardCommands(format), ioExecutor);
    }

    public static LogicalUnit create(
            int lun,
            LogicalUnitIdentity identity,
            BackingStore store,
            int blockSize,
            boolean readOnly,
            Executor ioExecutor) {
        return create(lun, identity, store, blockSize, readOnly, false, ioExecutor);
    }

    /**
     * @param thin thin provisioning (SBC-4 §4.7)
     */
    public static LogicalUnit create(
            int lun,
            LogicalUnitIdentity identity,
            BackingStore store,
            int blockSize,
            boolean readOnly,
            boolean thin,
            Executor ioExecutor) {
        return create(
                lun,
                identity,
                store,
                new UnitFormat(blockSize, blockSize, readOnly, thin),
                ioExecutor);
    }
}
