package org.iscsilab.host.mid;

/**
 * How a request ended, as the mid-layer reports it: the host byte (whether it reached the device at
 * all), the SCSI status, sense and data-in.
 */
public record HostResult(HostByte hostByte, int status, byte[] sense, byte[] data) {
    /** The host byte values the model uses (include/scsi/scsi.h DID_*). */
    public enum HostByte {
        DID_OK,
        /** Killed by the mid-layer before reaching the LLD (device DEL, OFFLINE, ...). */
        DID_NO_CONNECT,
        /** The LLD cannot take it now (session recovering); the mid-layer may retry. */
        DID_IMM_RETRY,
        /** The transport gave up (replacement timeout). */
        DID_TRANSPORT_FAILFAST,
        /** The command timed out and the error handler ended it. */
        DID_TIME_OUT,
        DID_ERROR
    }

    public static HostResult of(HostByte hostByte) {
        return new HostResult(hostByte, 0, new byte[0], new byte[0]);
    }

    public boolean good() {
        return hostByte == HostByte.DID_OK && status == 0;
    }
}
