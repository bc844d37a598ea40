package org.iscsilab.core.fault;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.iscsilab.core.alua.AccessState;
import org.iscsilab.core.alua.Alua;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.scsi.SenseData;

/** Carries out a fired SCSI fault action on one command instead of, or around, its execution. */
public final class ScsiFaults {
    private ScsiFaults() {}

    /**
     * The command's outcome under the action; {@code run} executes the command for real and {@code
     * lu} is the unit addressed (null for none). A HANG returns a future that never completes: task
     * management aborts the task (ABORT TASK, resets, nexus loss).
     */
    public static CompletableFuture<ScsiOutcome> apply(
            ScsiFaultAction action,
            ScsiTask task,
            LogicalUnit lu,
            Supplier<CompletableFuture<ScsiOutcome>> run) {
        boolean descriptor = lu != null && lu.descriptorSense();
        if (action instanceof ScsiFaultAction.CheckCondition c) {
            return CompletableFuture.completedFuture(
                    ScsiOutcome.checkCondition(SenseData.of(c.key(), c.additional()), descriptor));
        }
        if (action instanceof ScsiFaultAction.Status s) {
            return CompletableFuture.completedFuture(ScsiOutcome.status(s.status()));
        }
        if (action instanceof ScsiFaultAction.Hang h) {
            CompletableFuture<ScsiOutcome> never = new CompletableFuture<>();
            if (h.failAfter() == null) {
                return never;
            }
            // ABORT TASK may end the command first; then the timeout finds it already complete
            return never.completeOnTimeout(
                    ScsiOutcome.checkCondition(SenseData.of(h.key(), h.sense()), descriptor),
                    h.failAfter().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
        if (action instanceof ScsiFaultAction.Delay d) {
            return CompletableFuture.supplyAsync(
                            () -> null,
                            CompletableFuture.delayedExecutor(
                                    d.delay().toNanos(), TimeUnit.NANOSECONDS))
                    .thenCompose(v -> run.get());
        }
        if (action instanceof ScsiFaultAction.UnitAttention u) {
            if (lu != null) {
                lu.unitAttentions().registerIfNew(task.nexus());
                lu.unitAttentions().establish(task.nexus(), u.additional());
            }
            return run.get();
        }
        if (action instanceof ScsiFaultAction.AccessStateChange a) {
            Alua alua = lu == null ? null : lu.alua();
            if (alua != null && alua.hasGroup(a.group())) {
                if (a.transition() == null) {
                    alua.setState(a.group(), a.state(), "fault rule");
                } else if (alua.group(a.group()).state() != AccessState.TRANSITIONING) {
                    // a rule that fires again while the group transitions does not restart it
                    alua.transition(a.group(), a.state(), a.transition(), a.fails());
                }
            }
            return run.get();
        }
        if (action instanceof ScsiFaultAction.ShortTransfer s) {
            return run.get()
                    .thenApply(ScsiOutcome::inMemory)
                    .thenApply(
                            o -> {
                                ByteBuffer in = o.dataIn();
                                if (in.remaining() <= s.bytes()) {
                                    return o;
                                }
                                ByteBuffer cut = in.duplicate();
                                cut.limit(cut.position() + s.bytes());
                                // the command asked for fewer bytes than expected: a residual
                                // underflow
                                return new ScsiOutcome(
                                        o.status(),
                                        o.sense(),
                                        o.descriptorSense(),
                                        cut.slice(),
                                        s.bytes());
                            });
        }
        if (action instanceof ScsiFaultAction.CorruptRead) {
            return run.get()
                    .thenApply(ScsiOutcome::inMemory)
                    .thenApply(
                            o -> {
                                ByteBuffer in = o.dataIn();
                                if (!in.hasRemaining()) {
                                    return o;
                                }
                                ByteBuffer copy = ByteBuffer.allocate(in.remaining());
                                copy.put(in.duplicate()).flip();
                                for (int i = 0; i < copy.limit(); i += 512) {
                                    copy.put(i, (byte) (copy.get(i) ^ 0x01));
                                }
                                return new ScsiOutcome(
                                        o.status(),
                                        o.sense(),
                                        o.descriptorSense(),
                                        copy,
                                        o.commandDataLength());
                            });
        }
        throw new IllegalArgumentException(action + " is not a SCSI action");
    }
}
