package org.iscsilab.core.lu;

import java.util.HashSet;
import java.util.Set;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.nexus.UnitAttentions;
import org.iscsilab.core.pr.AccessClass;
import org.iscsilab.core.pr.AccessClasses;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseException;
import org.iscsilab.scsi.SenseKey;

/**
 * The medium of a removable logical unit (SBC-4 §4.15): present or ejected, and which I_T nexuses
 * prevent its removal (SPC-5 §6.17). Prevention ends with ALLOW from the same nexus, I_T nexus
 * loss, and logical unit or target reset.
 */
public final class RemovableMedium {
    /** Commands that touch the medium fail with MEDIUM NOT PRESENT while it is ejected. */
    public static boolean needsMedium(int opcode) {
        AccessClass a = AccessClasses.of(opcode);
        if (opcode == ScsiOpcode.TEST_UNIT_READY
                || opcode == ScsiOpcode.READ_CAPACITY_10
                || opcode == ScsiOpcode.SERVICE_ACTION_IN_16) {
            return true;
        }
        if (opcode == ScsiOpcode.MODE_SENSE_6
                || opcode == ScsiOpcode.MODE_SENSE_10
                || opcode == ScsiOpcode.START_STOP_UNIT
                || opcode == ScsiOpcode.PREVENT_ALLOW_MEDIUM_REMOVAL) {
            return false;
        }
        return a == AccessClass.READ || a == AccessClass.WRITE;
    }

    private final UnitAttentions unitAttentions;
    private boolean present = true;
    private final Set<ItNexus> preventing = new HashSet<>();

    public RemovableMedium(UnitAttentions unitAttentions) {
        this.unitAttentions = unitAttentions;
    }

    public synchronized boolean present() {
        return present;
    }

    /** NOT READY, MEDIUM NOT PRESENT for commands that need the medium (SBC-4 §4.15). */
    public synchronized void requirePresent() {
        if (!present) {
            throw new SenseException(
                    SenseData.of(SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT));
        }
    }

    public synchronized void prevent(ItNexus nexus, boolean prevent) {
        if (prevent) {
            preventing.add(nexus);
        } else {
            preventing.remove(nexus);
        }
    }

    public synchronized boolean prevented() {
        return !preventing.isEmpty();
    }

    /** START STOP UNIT with LOEJ: eject or load; either is refused while removal is prevented. */
    public synchronized void loadOrEject(ItNexus by, boolean load) {
        if (!preventing.isEmpty()) {
            throw new SenseException(
                    SenseData.of(
                            SenseKey.ILLEGAL_REQUEST, AdditionalSense.MEDIUM_REMOVAL_PREVENTED));
        }
        if (load && !present) {
            present = true;
            // SPC-5 §5.14: everyone else learns that the medium may have changed
            unitAttentions.establishForAll(AdditionalSense.NOT_READY_TO_READY_CHANGE, by);
        } else if (!load) {
            present = false;
        }
    }

    public synchronized void nexusLost(ItNexus nexus) {
        preventing.remove(nexus);
    }

    public synchronized void reset() {
        preventing.clear();
    }
}
