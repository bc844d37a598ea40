package org.iscsilab.iscsi.node;

import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.iscsilab.core.TaskManager;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.scsi.SenseData;
import org.slf4j.Logger;

/**
 * A session's tasks in progress by initiator task tag, one tag space for all its connections, and
 * the ways a task ends other than with its logical unit's status (RFC 7143 §7.6, §11.5.1): aborted
 * by task management, ended early with CHECK CONDITION, terminated with the connection it is
 * allegiant to (§6.3.4), or dropped when the session ends. Runs on the session's event loop.
 */
final class SessionTasks {
    private static final Logger log = TargetLog.get(SessionTasks.class);

    /** By ITT (a primitive map: no boxing per command). */
    private final IntObjectMap<TargetTask> byItt = new IntObjectHashMap<>();

    private final TargetSession session;
    private final IscsiTarget target;
    private final ItNexus nexus;
    private final int tsih;

    SessionTasks(TargetSession session) {
        this.session = session;
        this.target = session.target();
        this.nexus = session.nexus();
        this.tsih = session.tsih();
    }

    TargetTask get(int itt) {
        return byItt.get(itt);
    }

    void put(int itt, TargetTask task) {
        byItt.put(itt, task);
    }

    void remove(int itt) {
        byItt.remove(itt);
    }

    /** The tasks now, a live view. */
    Collection<TargetTask> all() {
        return byItt.values();
    }

    /** Aborts the tasks that match, on the session's event loop. Returns how many. */
    CompletableFuture<Integer> abort(Predicate<TargetTask> which) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        session.runOnLoop(
                () -> {
                    List<TargetTask> victims = take(which);
                    for (TargetTask task : victims) {
                        task.abort();
                        task.release();
                    }
                    done.complete(victims.size());
                });
        return done;
    }

    /**
     * Ends a task early with CHECK CONDITION; the logical unit's own completion is then dropped.
     */
    void terminate(TargetTask task, SenseData sense) {
        TargetConnection conn = task.connection();
        byItt.remove(task.itt());
        task.abort();
        conn.responder().sendCheckCondition(task.itt(), task.expDataSn(), sense);
        task.release();
        conn.flush();
    }

    /**
     * The tasks allegiant to a connection that left the session end without a response (RFC 7143
     * §6.3.4: below ErrorRecoveryLevel 2 there is no allegiance to reassign them to); the device's
     * task manager aborts those it was executing and has each logical unit that lost one report it
     * to this I_T nexus (§7.6).
     */
    void terminateAllegiantTo(TargetConnection conn) {
        List<TargetTask> victims = take(task -> task.connection() == conn);
        if (!victims.isEmpty()) {
            List<TaskManager.TerminatedCommand> terminated = new ArrayList<>(victims.size());
            for (TargetTask task : victims) {
                terminated.add(
                        new TaskManager.TerminatedCommand(
                                task.lunField(),
                                Integer.toUnsignedLong(task.itt()),
                                task.delivered()));
            }
            target.device().taskManager().terminatedByProtocolEvent(nexus, terminated);
        }
        for (TargetTask task : victims) {
            task.abort();
            task.release();
        }
        conn.releaseRetained();
        if (!victims.isEmpty()) {
            log.info(
                    "session {}: {} tasks of connection CID {} terminated with it",
                    tsih,
                    victims.size(),
                    conn.cid());
        }
    }

    /** The session ended: every task is dropped. */
    void dropAll() {
        byItt.values()
                .forEach(
                        task -> {
                            task.abort();
                            task.release();
                        });
        byItt.clear();
    }

    private List<TargetTask> take(Predicate<TargetTask> which) {
        List<TargetTask> taken = new ArrayList<>();
        byItt.values()
                .removeIf(
                        task -> {
                            if (which.test(task)) {
                                taken.add(task);
                                return true;
                            }
                            return false;
                        });
        return taken;
    }
}
