package org.iscsilab.host.mid;

import java.util.concurrent.locks.ReentrantLock;

/**
 * sdev->state_mutex (v4.13 and later): a fair lock, handed to waiters in the order they came, as
 * the kernel's mutex hands off, whose holder can be asked, so a scheduler can tell a thread still
 * waiting for it from one that has just been given it.
 */
final class StateMutex extends ReentrantLock {
    private static final long serialVersionUID = 1L;

    StateMutex() {
        super(true);
    }

    /** The thread that holds the mutex, or null. */
    Thread holder() {
        return getOwner();
    }
}
