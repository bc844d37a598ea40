package org.iscsilab.testkit;

import java.time.Duration;

/**
 * A command got no answer within the device's command timeout. As Linux's error handler does first,
 * the device then asked the target to abort the task (ABORT TASK, RFC 7143 §11.5.1) and waited as
 * long again; {@link #abortAnswered()} tells whether the target answered that.
 */
public final class CommandTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The command, e.g. "READ LBA 0 x 8". */
    private final String command;

    /** How long the device waited for the answer. */
    private final Duration timeout;

    /** Whether the target answered the ABORT TASK that followed. */
    private final boolean abortAnswered;

    CommandTimeoutException(String command, Duration timeout, boolean abortAnswered) {
        super(
                command
                        + ": no answer within "
                        + timeout
                        + (abortAnswered
                                ? "; the target then aborted the task"
                                : "; the ABORT TASK that followed got no answer either"));
        this.command = command;
        this.timeout = timeout;
        this.abortAnswered = abortAnswered;
    }

    /**
     * The command that timed out.
     *
     * @return its name and range, e.g. "READ LBA 0 x 8"
     */
    public String command() {
        return command;
    }

    /**
     * The timeout in force.
     *
     * @return how long the device waited for the command's answer
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Whether the target answered the ABORT TASK sent after the timeout (a frozen or hung target
     * does not).
     *
     * @return true when the task management response came within the timeout
     */
    public boolean abortAnswered() {
        return abortAnswered;
    }
}
