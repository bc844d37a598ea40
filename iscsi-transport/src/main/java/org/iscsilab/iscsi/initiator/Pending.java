package org.iscsilab.iscsi.initiator;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.iscsi.pdu.ScsiCommand;

/**
 * A request of an initiator session waiting for its answer: a SCSI command with its data and
 * recovery state, or a text, task management, logout or NOP-Out request (RFC 7143 §11). Event loop
 * only, but for the futures.
 */
final class Pending {
    final CompletableFuture<Object> future = new CompletableFuture<>();

    /** The command's initiator task tag, once it was sent (for ABORT TASK). */
    final CompletableFuture<Integer> itt = new CompletableFuture<>();

    /** The connection the request went out on: its answers come on it. */
    InitiatorConnection conn;

    ScsiCommand command;
    ByteBuf dataOut;
    byte[] dataIn;
    int dataInLength;
    int expectedDataSn;

    /** The immediate data the command carried, to send it again with it (§7.2.1). */
    int immediateLength;

    /** At ErrorRecoveryLevel 1 and above: which Data-In arrived. */
    DataInProgress dataInSeen;

    /** A status that arrived before all the Data-In did, and its StatSN, held (§11.7.2). */
    ScsiResult heldResult;

    int heldStatSn;

    /** When a PDU of this command last came or went (for the quiet-command check). */
    long lastActivityNanos;

    /** {@code r} with the Data-In that arrived, up to the highest offset written. */
    ScsiResult withDataIn(ScsiResult r) {
        byte[] data = dataInLength == dataIn.length ? dataIn : Arrays.copyOf(dataIn, dataInLength);
        return new ScsiResult(
                r.status(), r.sense(), data, r.overflow(), r.underflow(), r.residual());
    }

    /** Lets the Data-Out buffer go, once. */
    void releaseDataOut() {
        if (dataOut != null && dataOut.refCnt() > 0) {
            dataOut.release();
        }
    }
}
