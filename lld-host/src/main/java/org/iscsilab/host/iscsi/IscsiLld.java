package org.iscsilab.host.iscsi;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.iscsilab.host.mid.HostResult;
import org.iscsilab.host.mid.LowLevelDriver;
import org.iscsilab.host.mid.Policy;
import org.iscsilab.host.mid.Request;
import org.iscsilab.host.mid.ScsiDevice;
import org.iscsilab.host.mid.ScsiHost;
import org.iscsilab.host.mid.ScsiTarget;
import org.iscsilab.host.module.KernelBug;
import org.iscsilab.host.module.KernelModule;
import org.iscsilab.host.module.Violations;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.RecoveringSession;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.iscsi.initiator.TaskAbortedException;
import org.iscsilab.iscsi.pdu.TaskManagementRequest;
import org.iscsilab.iscsi.pdu.TaskManagementResponse;
import org.iscsilab.scsi.LunAddress;

/**
 * The iSCSI low-level driver (iscsi_tcp + libiscsi + scsi_transport_iscsi, in the parts the
 * mid-layer sees), on top of the Java initiator. Each session gets its own SCSI host with one
 * target, pins the driver's module (iscsi_session_setup's try_module_get), and drives block and
 * unblock from its recovery state.
 *
 * <p>Two flavours, chosen at construction. iscsi_tcp: sessions pin the module, so only a forced
 * unload gets it GOING with sessions alive, and its exit only unregisters the transport: with a
 * session left that is a BUG() (docs/linux-midlayer.md §8). SRP-like (the original 2017 case,
 * ib_srp): hosts do not pin the module, and its exit removes its hosts.
 *
 * <p>Session teardown asked for from user space ({@link #destroySession}) runs as
 * scsi_transport_iscsi runs a netlink request: under {@code rx_queue_mutex} and holding a reference
 * on the transport's owner module, the same mutex the transport's unregistration takes.
 */
public final class IscsiLld implements LowLevelDriver {
    private final KernelModule module;
    private final IscsiInitiator initiator;
    private final Policy policy;
    private final Violations violations;
    private final boolean exitRemovesHosts;
    private final List<IscsiHostSession> sessions = new CopyOnWriteArrayList<>();
    private final Map<Request, InitiatorSession.Command> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger hostNumbers = new AtomicInteger();
    private volatile boolean bartVisitsCancel = true;
    private volatile boolean removeDevicesBeforeLogout = true;

    /** scsi_transport_iscsi's rx_queue_mutex: one netlink request at a time, and unregistration. */
    private final ReentrantLock rxQueueMutex = new ReentrantLock();

    public IscsiLld(
            IscsiInitiator initiator,
            Policy policy,
            Violations violations,
            boolean exitRemovesHosts) {
        this.initiator = initiator;
        this.policy = policy;
        this.violations = violations;
        this.exitRemovesHosts = exitRemovesHosts;
        this.module =
                new KernelModule(exitRemovesHosts ? "iscsi_lld_srp_like" : "iscsi_tcp", violations);
        module.load(() -> {}, this::exit);
    }

    @Override
    public KernelModule module() {
        return module;
    }

    public Policy policy() {
        return policy;
    }

    /**
     * For the hosts of new sessions: see {@link
     * org.iscsilab.host.mid.ScsiHost#setUnblockVisitsCancel}.
     */
    public void setBartVisitsCancel(boolean visits) {
        this.bartVisitsCancel = visits;
    }

    boolean bartVisitsCancel() {
        return bartVisitsCancel;
    }

    /**
     * The order of a live session's logout: devices removed first (sd's SYNCHRONIZE CACHE reaches
     * the target; the default, and what open-iscsi's session_logout_task does: it unbinds the
     * session before it sends the Logout PDU) or the Logout PDU first (sd's command is then failed
     * by the closed session and never reaches the target), for comparison.
     */
    public void setRemoveDevicesBeforeLogout(boolean devicesFirst) {
        this.removeDevicesBeforeLogout = devicesFirst;
    }

    boolean removeDevicesBeforeLogout() {
        return removeDevicesBeforeLogout;
    }

    Violations violations() {
        return violations;
    }

    public List<IscsiHostSession> sessions() {
        return List.copyOf(sessions);
    }

    /**
     * Logs in, creates the session's host and scans it (REPORT LUNS, INQUIRY, then sd's READ
     * CAPACITY and caching mode page per disk). Refused once the module is GOING.
     */
    public CompletableFuture<IscsiHostSession> login(
            InetSocketAddress portal,
            InitiatorConfig config,
            Duration retryInterval,
            Duration replacementTimeout) {
        if (!module.tryGet()) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException(module.name() + " is " + module.state()));
        }
        if (exitRemovesHosts) {
            module.put(); // the SRP-like driver's hosts do not keep the module loaded
        }
        // the mid-layer's timers govern commands; the initiator's own timeout is only a backstop
        InitiatorConfig sessionConfig = config.withCommandTimeout(Duration.ofHours(1));
        return RecoveringSession.open(
                        initiator, portal, sessionConfig, retryInterval, replacementTimeout)
                .thenApply(
                        rs -> {
                            IscsiHostSession s =
                                    new IscsiHostSession(this, hostNumbers.getAndIncrement(), rs);
                            sessions.add(s);
                            return s;
                        })
                .whenComplete(
                        (s, err) -> {
                            if (err != null && !exitRemovesHosts) {
                                module.put();
                            }
                        });
    }

    void sessionGone(IscsiHostSession s) {
        if (sessions.remove(s) && !exitRemovesHosts) {
            module.put(); // iscsi_session_teardown releases the session's module reference
        }
    }

    @Override
    public void queueCommand(ScsiDevice device, Request request) {
        IscsiHostSession s = sessionOf(device);
        if (s == null) {
            request.complete(HostResult.of(HostResult.HostByte.DID_NO_CONNECT));
            return;
        }
        switch (s.recovery().state()) {
            case RECOVERING -> {
                device.requeue(
                        request); // iscsi_session_chkready: DID_IMM_RETRY while the session is
                // FAILED
                return;
            }
            case FAILED -> {
                request.complete(HostResult.of(HostResult.HostByte.DID_TRANSPORT_FAILFAST));
                return;
            }
            case CLOSED -> {
                request.complete(HostResult.of(HostResult.HostByte.DID_NO_CONNECT));
                return;
            }
            default -> {}
        }
        InitiatorSession.Command cmd =
                s.recovery()
                        .submit(
                                LunAddress.encode(device.lun()),
                                request.cdb(),
                                request.dataOut(),
                                request.expectedDataIn());
        inFlight.put(request, cmd);
        String lane = Thread.currentThread().getName();
        cmd.itt()
                .thenAccept(
                        itt ->
                                device.host()
                                        .trace()
                                        .recordOn(
                                                lane,
                                                "queuecommand: sent",
                                                "device",
                                                device.hctl(),
                                                "opcode",
                                                String.format("%02Xh", request.cdb()[0] & 0xFF),
                                                "itt",
                                                String.format("0x%x", itt)));
        cmd.result()
                .whenComplete(
                        (ScsiResult r, Throwable err) -> {
                            inFlight.remove(request);
                            Throwable cause =
                                    err instanceof CompletionException && err.getCause() != null
                                            ? err.getCause()
                                            : err;
                            if (err == null) {
                                request.complete(
                                        new HostResult(
                                                HostResult.HostByte.DID_OK,
                                                r.status(),
                                                r.sense(),
                                                r.data()));
                            } else if (cause instanceof TaskAbortedException) {
                                // the error handler aborted it and completes it
                            } else if (cause instanceof TimeoutException) {
                                request.complete(HostResult.of(HostResult.HostByte.DID_TIME_OUT));
                            } else if (s.recovery().state() == RecoveringSession.State.RECOVERING
                                    || s.recovery().state() == RecoveringSession.State.LOGGED_IN) {
                                device.requeue(
                                        request); // the connection failed under it: retried after
                                // recovery
                            } else {
                                request.complete(
                                        HostResult.of(HostResult.HostByte.DID_TRANSPORT_FAILFAST));
                            }
                        });
    }

    /** How long the error handler waits for a task management response. */
    private static final long TMF_TIMEOUT_SECONDS = 10;

    /** ABORT TASK for the request's initiator task tag. */
    @Override
    public boolean abort(ScsiDevice device, Request request) throws InterruptedException {
        InitiatorSession.Command cmd = inFlight.get(request);
        IscsiHostSession s = sessionOf(device);
        if (cmd == null || s == null) {
            return false;
        }
        return tmfSucceeded(
                cmd.itt()
                        .thenCompose(
                                itt ->
                                        s.recovery()
                                                .abortTask(LunAddress.encode(device.lun()), itt)));
    }

    @Override
    public boolean deviceReset(ScsiDevice device) throws InterruptedException {
        IscsiHostSession s = sessionOf(device);
        return s != null
                && tmfSucceeded(
                        s.recovery()
                                .taskManagement(
                                        TaskManagementRequest.LOGICAL_UNIT_RESET,
                                        LunAddress.encode(device.lun())));
    }

    @Override
    public boolean targetReset(ScsiTarget target) throws InterruptedException {
        for (IscsiHostSession s : sessions) {
            if (s.target() == target) {
                return tmfSucceeded(
                        s.recovery().taskManagement(TaskManagementRequest.TARGET_WARM_RESET, 0));
            }
        }
        return false;
    }

    /**
     * iscsi_eh_session_reset: drop the connection; the session recovers and requeued requests go
     * again.
     */
    @Override
    public boolean hostReset(ScsiHost host) {
        for (IscsiHostSession s : sessions) {
            if (s.host() == host) {
                s.recovery().dropConnection();
                return true;
            }
        }
        return false;
    }

    private static boolean tmfSucceeded(CompletableFuture<Integer> response)
            throws InterruptedException {
        try {
            int r = response.get(TMF_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return r == TaskManagementResponse.FUNCTION_COMPLETE
                    || r == TaskManagementResponse.TASK_DOES_NOT_EXIST;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    @Override
    public void slaveDestroy(ScsiDevice device) {
        // nothing per device: the session owns the connection
    }

    private IscsiHostSession sessionOf(ScsiDevice device) {
        for (IscsiHostSession s : sessions) {
            if (s.host() == device.host()) {
                return s;
            }
        }
        return null;
    }

    /**
     * ISCSI_UEVENT_DESTROY_SESSION as iscsi_if_rx() runs it: under rx_queue_mutex, with a reference
     * on the transport's owner module for the request (iscsi_if_recv_msg's try_module_get, so a
     * request is refused once the module is GOING), then iscsi_session_teardown's path ({@link
     * IscsiHostSession#destroy}). {@code whileHeld} runs once the mutex and the reference are held,
     * before the teardown: where a scenario lets a forced unload start.
     */
    public void destroySession(IscsiHostSession session, Runnable whileHeld)
            throws InterruptedException {
        rxQueueMutex.lockInterruptibly();
        try {
            if (!module.tryGet()) {
                throw new IllegalStateException(
                        "DESTROY_SESSION refused: " + module.name() + " is " + module.state());
            }
            try {
                whileHeld.run();
                session.destroy();
            } finally {
                module.put();
            }
        } finally {
            rxQueueMutex.unlock();
        }
    }

    /** The module's exit routine: see the class comment. It runs while the module is GOING. */
    private void exit() {
        if (exitRemovesHosts) {
            sessions.forEach(IscsiHostSession::removeHost);
            return;
        }
        // iscsi_sw_tcp_exit -> iscsi_unregister_transport: under rx_queue_mutex, then
        // transport_container_unregister() on the session container, which BUG()s when
        // attribute_container_unregister() finds it still in use (include/linux/transport_class.h)
        try {
            rxQueueMutex.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            if (!sessions.isEmpty()) {
                throw new KernelBug(
                        "transport_container_unregister (include/linux/transport_class.h)",
                        "iscsi_unregister_transport found "
                                + sessions.size()
                                + " session(s) in the container; rmmod dies, iscsi_tcp stays GOING");
            }
        } finally {
            rxQueueMutex.unlock();
        }
    }
}
