package org.iscsilab.testkit;

import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseKey;

/**
 * A SCSI command that failed after the retries Linux would make: its status, and for CHECK
 * CONDITION the sense key, ASC/ASCQ and the sense bytes as the target sent them.
 */
public final class ScsiCommandException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String command;
    private final int status;
    private final transient SenseData sense;
    private final byte[] senseBytes;

    ScsiCommandException(String command, ScsiResult result) {
        super(command + " failed: " + describe(result), null, false, false);
        this.command = command;
        this.status = result.status();
        this.sense = result.senseData();
        this.senseBytes = result.sense().clone();
    }

    private static String describe(ScsiResult r) {
        SenseData s = r.senseData();
        return String.format("status 0x%02x", r.status())
                + (s == null ? "" : String.format(" %s %02X/%02X", s.key(), s.asc(), s.ascq()));
    }

    /** The command, e.g. "READ(16) LBA 100 x 8". */
    public String command() {
        return command;
    }

    /** The SCSI status (SAM-5 §5.3), e.g. 0x02 CHECK CONDITION. */
    public int status() {
        return status;
    }

    /** The sense key, or null when the command ended without sense data. */
    public SenseKey senseKey() {
        return sense == null ? null : sense.key();
    }

    /** The additional sense code, or -1 without sense data. */
    public int asc() {
        return sense == null ? -1 : sense.asc();
    }

    /** The additional sense code qualifier, or -1 without sense data. */
    public int ascq() {
        return sense == null ? -1 : sense.ascq();
    }

    /** The sense data as sent (fixed or descriptor format), empty without. */
    public byte[] senseBytes() {
        return senseBytes.clone();
    }
}
