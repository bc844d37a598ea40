package org.iscsilab.iscsi.initiator;

/** The command was aborted by task management; the target sends no response for it. */
public final class TaskAbortedException extends IscsiInitiatorException {
    private static final long serialVersionUID = 1L;

    public TaskAbortedException(int itt) {
        super("task 0x" + Integer.toHexString(itt) + " aborted");
    }
}
