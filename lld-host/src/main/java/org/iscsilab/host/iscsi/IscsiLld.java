package org.iscsilab.host.iscsi;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.iscsilab.host.mid.HostResult;
import org.iscsilab.host.mid.LowLevelDriver;
import org.iscsilab.host.mid.Policy;
import org.iscsilab.host.mid.Request;
import org.iscsilab.host.mid.ScsiDevice;
import org.iscsilab.host.module.KernelModule;
import org.iscsilab.host.module.Violations;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.RecoveringSession;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.target.lu.LunAddress;

/**
 * The iSCSI low-level driver (iscsi_tcp + libiscsi + scsi_transport_iscsi, in the parts the
 * mid-layer sees), on top of the Java initiator. Each session gets its own SCSI host with one
 * target, pins the driver's module (iscsi_session_setup's try_module_get), and drives block and
 * unblock from its recovery state.
 *
 * <p>The module's exit routine either only unregisters the transport, as iscsi_tcp's does (its
 * sessions pin it, so only a forced unload gets GOING with sessions alive), or removes its hosts,
 * as ib_srp's does (the original 2017 case) — chosen at construction.
 */
public final class IscsiLld implements LowLevelDriver {
    private final KernelModule module;
    private final IscsiInitiator initiator;
    private final Policy policy;
    private final Violations violations;
    private final boolean exitRemovesHosts;
    private final List<IscsiHostSession> sessions = new CopyOnWriteArrayList<>();
    private final AtomicInteger hostNumbers = new AtomicInteger();

    public IscsiLld(IscsiInitiator initiator, Policy policy, Violations violations, boolean exitRemovesHosts) {
        this.initiator = initiator;
        this.policy = policy;
        this.violations = violations;
        this.exitRemovesHosts = exitRemovesHosts;
        this.module = new KernelModule(exitRemovesHosts ? "iscsi_lld_srp_like" : "iscsi_tcp", violations);
        module.load(() -> { }, this::exit);
    }

    @Override
    public KernelModule module() {
        return module;
    }

    public Policy policy() {
        return policy;
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
    public CompletableFuture<IscsiHostSession> login(InetSocketAddress portal, InitiatorConfig config,
                                                     Duration retryInterval, Duration replacementTimeout) {
        if (!module.tryGet()) {
            return CompletableFuture.failedFuture(new IllegalStateException(module.name() + " is " + module.state()));
        }
        return RecoveringSession.open(initiator, portal, config, retryInterval, replacementTimeout)
                .thenApply(rs -> {
                    IscsiHostSession s = new IscsiHostSession(this, hostNumbers.getAndIncrement(), rs);
                    sessions.add(s);
                    return s;
                }).whenComplete((s, err) -> {
                    if (err != null) {
                        module.put();
                    }
                });
    }

    void sessionGone(IscsiHostSession s) {
        if (sessions.remove(s)) {
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
                device.requeue(request); // iscsi_session_chkready: DID_IMM_RETRY while the session is FAILED
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
            default -> {
            }
        }
        s.recovery().execute(LunAddress.encode(device.lun()), request.cdb(), request.dataOut(),
                request.expectedDataIn()).whenComplete((ScsiResult r, Throwable err) -> {
                    if (err == null) {
                        request.complete(new HostResult(HostResult.HostByte.DID_OK, r.status(), r.sense(), r.data()));
                    } else if (s.recovery().state() == RecoveringSession.State.RECOVERING
                            || s.recovery().state() == RecoveringSession.State.LOGGED_IN) {
                        device.requeue(request); // the connection failed under it: retried after recovery
                    } else {
                        request.complete(HostResult.of(HostResult.HostByte.DID_TRANSPORT_FAILFAST));
                    }
                });
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

    /** The module's exit routine: see the class comment. */
    private void exit() {
        if (!exitRemovesHosts) {
            return; // iscsi_tcp: unregister the transport; sessions are torn down by iscsid
        }
        for (IscsiHostSession s : sessions) {
            s.removeHost();
        }
    }
}
