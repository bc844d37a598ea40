package org.iscsilab.host.mid;

import java.util.concurrent.CompletableFuture;

/**
 * One request on a device's queue. {@code preempt} marks the mid-layer's own commands (scsi_execute
 * sets RQF_PREEMPT, e.g. sd's SYNCHRONIZE CACHE), which some states admit when others are refused.
 * A request has no timer until it is dispatched (blk_start_request).
 */
public final class Request {
    private final byte[] cdb;
    private final byte[] dataOut;
    private final int expectedDataIn;
    private final boolean preempt;
    private final CompletableFuture<HostResult> result = new CompletableFuture<>();
    private volatile long dispatchedNanos = -1;

    public Request(byte[] cdb, byte[] dataOut, int expectedDataIn, boolean preempt) {
        this.cdb = cdb.clone();
        this.dataOut = dataOut;
        this.expectedDataIn = expectedDataIn;
        this.preempt = preempt;
    }

    public byte[] cdb() {
        return cdb.clone();
    }

    public int opcode() {
        return cdb[0] & 0xFF;
    }

    public byte[] dataOut() {
        return dataOut;
    }

    public int expectedDataIn() {
        return expectedDataIn;
    }

    public boolean preempt() {
        return preempt;
    }

    public CompletableFuture<HostResult> result() {
        return result;
    }

    /** Armed at dispatch: a request parked on a stopped queue never times out. */
    void dispatched(long nanos) {
        dispatchedNanos = nanos;
    }

    /** When it was handed to the LLD, or -1 while it has never been. */
    public long dispatchedNanos() {
        return dispatchedNanos;
    }

    private volatile Runnable onDispatchedCompletion;

    /**
     * Called by the queue before handing the request to the LLD: how a finished dispatch is
     * reported.
     */
    void onCompletion(Runnable r) {
        onDispatchedCompletion = r;
    }

    /** Ends the request (the LLD, or the mid-layer killing it). */
    public void complete(HostResult r) {
        Runnable done = onDispatchedCompletion;
        onDispatchedCompletion = null;
        if (result.complete(r) && done != null) {
            done.run();
        }
    }

    @Override
    public String toString() {
        return String.format("opcode 0x%02x%s", opcode(), preempt ? " (preempt)" : "");
    }
}
