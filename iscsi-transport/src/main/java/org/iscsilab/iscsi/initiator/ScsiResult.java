package org.iscsilab.iscsi.initiator;

import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseData;

/**
 * How a command ended, as the initiator saw it: SCSI status, sense data (if any), data-in, and the
 * residual the target reported (RFC 7143 §11.4.5).
 */
public record ScsiResult(
        int status, byte[] sense, byte[] data, boolean overflow, boolean underflow, int residual) {

    public boolean good() {
        return status == ScsiStatus.GOOD.code();
    }

    public SenseData senseData() {
        return sense.length == 0 ? null : SenseData.parse(sense);
    }

    @Override
    public String toString() {
        String s = "status 0x" + Integer.toHexString(status);
        if (sense.length > 0) {
            s += " " + senseData();
        }
        return s
                + ", "
                + data.length
                + " bytes"
                + (overflow ? ", overflow " + residual : "")
                + (underflow ? ", underflow " + residual : "");
    }
}
