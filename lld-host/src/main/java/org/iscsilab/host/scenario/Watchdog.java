package org.iscsilab.host.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a step that may never return (removal waiting on a stopped queue has no deadline, as in the
 * kernel) on its own thread and bounds it: after the limit the step is declared hung, its stack is
 * kept as the stuck call chain, and the thread is interrupted so the run can end.
 */
final class Watchdog {
    /** A step that may block. */
    interface Step {
        void run() throws Exception;
    }

    /** How a bounded step ended. */
    record Result(boolean finished, long millis, Throwable error, List<String> stuckCallChain) {}

    private final Thread thread;
    private final long startNanos;
    private volatile Throwable error;
    private volatile long endNanos = -1;

    private Watchdog(String name, Step step) {
        this.startNanos = System.nanoTime();
        this.thread =
                new Thread(
                        () -> {
                            try {
                                step.run();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            } catch (Throwable t) {
                                error = t;
                            } finally {
                                endNanos = System.nanoTime();
                            }
                        },
                        name);
        thread.setDaemon(true);
    }

    static Watchdog start(String name, Step step) {
        Watchdog w = new Watchdog(name, step);
        w.thread.start();
        return w;
    }

    boolean finished() {
        return !thread.isAlive();
    }

    /**
     * Waits up to {@code limit} from the start; a step still running is hung and gets interrupted.
     */
    Result await(Duration limit) throws InterruptedException {
        long left = limit.toMillis() - (System.nanoTime() - startNanos) / 1_000_000;
        if (left > 0) {
            thread.join(left);
        }
        if (thread.isAlive()) {
            List<String> chain = new ArrayList<>();
            for (StackTraceElement e : thread.getStackTrace()) {
                if (e.getClassName().startsWith("org.iscsilab.")
                        && !e.getClassName().contains("$$Lambda")) {
                    chain.add(
                            e.getClassName().substring(e.getClassName().lastIndexOf('.') + 1)
                                    + "."
                                    + e.getMethodName()
                                    + ":"
                                    + e.getLineNumber());
                }
            }
            thread.interrupt();
            thread.join(2000);
            return new Result(false, limit.toMillis(), null, chain);
        }
        return new Result(true, (endNanos - startNanos) / 1_000_000, error, List.of());
    }
}
