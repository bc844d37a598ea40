package org.iscsilab.core.lu;

import java.util.concurrent.CompletableFuture;

/**
 * Executes one operation code on a logical unit. Throw SenseException to end with CHECK CONDITION.
 */
@FunctionalInterface
public interface CommandHandler {
    CompletableFuture<ScsiOutcome> execute(LogicalUnit lu, ScsiTask task) throws Exception;

    /** A handler that finishes without waiting for I/O. */
    static CommandHandler immediate(SyncCommandHandler handler) {
        return (lu, task) -> CompletableFuture.completedFuture(handler.execute(lu, task));
    }

    @FunctionalInterface
    interface SyncCommandHandler {
        ScsiOutcome execute(LogicalUnit lu, ScsiTask task) throws Exception;
    }
}
