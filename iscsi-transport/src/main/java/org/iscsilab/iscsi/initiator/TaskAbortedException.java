package org.iscsilab.iscsi.initiator;

/** The command was aborted by task management; the target sends no response for it. */
public final class TaskAbortedException extends IscsiInitiatorException {
    public TaskAbortedException(int itt) {
        super("task 0x" + Integer.toHexString(itt) + " aborted");
    }
}
