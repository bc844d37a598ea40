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

    /** The command that failed, named with its LBA and block count where it has them. */
    private final String command;

    /** The SCSI status the command ended with after the retries. */
    private final int status;

    private final transient SenseData sense;

    /** The sense data as the target sent it; empty when the status came without sense. */
    private final byte[] senseBytes;

    ScsiCommandException(String command, ScsiResult result) {
        super(command + " failed: " + describe(result));
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

    /**
     * The command, e.g. "READ(16) LBA 100 x 8".
     *
     * @return the command's name and, for reads, writes and UNMAP, its first LBA and block count
     */
    public String command() {
        return command;
    }

    /**
     * The SCSI status (SAM-5 §5.3), e.g. 0x02 CHECK CONDITION.
     *
     * @return the status byte of the SCSI Response, e.g. 0x02 CHECK CONDITION or 0x18 RESERVATION
     *     CONFLICT
     */
    public int status() {
        return status;
    }

    /**
     * The sense key, or null when the command ended without sense data.
     *
     * @return the sense key of the CHECK CONDITION, e.g. {@link SenseKey#MEDIUM_ERROR}; null
     *     without sense data
     */
    public SenseKey senseKey() {
        return sense == null ? null : sense.key();
    }

    /**
     * The additional sense code, or -1 without sense data.
     *
     * @return the ASC of the CHECK CONDITION, e.g. 0x11 UNRECOVERED READ ERROR; -1 without sense
     *     data
     */
    public int asc() {
        return sense == null ? -1 : sense.asc();
    }

    /**
     * The additional sense code qualifier, or -1 without sense data.
     *
     * @return the ASCQ that refines the ASC, e.g. 0x01 with ASC 0x04 (BECOMING READY); -1 without
     *     sense data
     */
    public int ascq() {
        return sense == null ? -1 : sense.ascq();
    }

    /**
     * The sense data as sent (fixed or descriptor format), empty without.
     *
     * @return a copy of the sense bytes, for fields the key, ASC and ASCQ do not carry (e.g. the
     *     INFORMATION field with the failing LBA); an empty array without sense data
     */
    public byte[] senseBytes() {
        return senseBytes.clone();
    }
}
