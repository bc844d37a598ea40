package org.iscsilab.iscsi.initiator;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.iscsilab.iscsi.pdu.Pdu;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session that outlives its connection the way open-iscsi's does at ErrorRecoveryLevel 0: when
 * the connection fails it logs in again with the same ISID (the target reinstates the session, RFC
 * 7143 §6.3.5) every retry interval. When the replacement timeout has passed since the failure the
 * session is FAILED (its I/O should fail fast) but the attempts go on, as iscsid's do, and a later
 * login brings it back. Commands issued while not logged in fail at once, so the caller (a host's
 * mid-layer) decides whether to hold or fail its queue. Listeners see every state change.
 */
public final class RecoveringSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RecoveringSession.class);

    /**
     * LOGGED_IN -> RECOVERING -> LOGGED_IN, or -> FAILED after the replacement timeout (->
     * LOGGED_IN on a later login); CLOSED after logout.
     */
    public enum State {
        LOGGED_IN,
        RECOVERING,
        FAILED,
        CLOSED
    }

    private final IscsiInitiator initiator;
    private final InetSocketAddress address;
    private final InitiatorConfig config;
    private final Duration retryInterval;
    private final Duration replacementTimeout;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread t = new Thread(r, "iscsi-recovery");
                        t.setDaemon(true);
                        return t;
                    });
    private final List<BiConsumer<State, State>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger relogins = new AtomicInteger();
    private volatile InitiatorSession current;
    private volatile State state = State.LOGGED_IN;
    private volatile long failedAtNanos;

    private RecoveringSession(
            IscsiInitiator initiator,
            InetSocketAddress address,
            InitiatorConfig config,
            Duration retryInterval,
            Duration replacementTimeout) {
        this.initiator = initiator;
        this.address = address;
        this.config = config;
        this.retryInterval = retryInterval;
        this.replacementTimeout = replacementTimeout;
    }

    /** Logs in; the first login must succeed, later ones are the recovery's. */
    public static CompletableFuture<RecoveringSession> open(
            IscsiInitiator initiator,
            InetSocketAddress address,
            InitiatorConfig config,
            Duration retryInterval,
            Duration replacementTimeout) {
        RecoveringSession r =
                new RecoveringSession(
                        initiator, address, config, retryInterval, replacementTimeout);
        return initiator
                .login(address, config)
                .thenApply(
                        s -> {
                            r.attach(s);
                            return r;
                        });
    }

    public State state() {
        return state;
    }

    /** The logged-in session of the moment (null while recovering). */
    public InitiatorSession session() {
        return state == State.LOGGED_IN ? current : null;
    }

    /** Successful logins after the first. */
    public int relogins() {
        return relogins.get();
    }

    /**
     * Called with (from, to) on every state change, on the recovery's own thread or an I/O thread.
     */
    public void onStateChange(BiConsumer<State, State> listener) {
        listeners.add(listener);
    }

    public CompletableFuture<ScsiResult> execute(
            long lunField, byte[] cdb, byte[] dataOut, int expectedDataIn) {
        InitiatorSession s = session();
        if (s == null) {
            return CompletableFuture.failedFuture(
                    new IscsiInitiatorException("session is " + state));
        }
        return s.execute(lunField, cdb, dataOut, expectedDataIn);
    }

    /** Like {@link InitiatorSession#submit}; fails at once when not logged in. */
    public InitiatorSession.Command submit(
            long lunField, byte[] cdb, byte[] dataOut, int expectedDataIn) {
        InitiatorSession s = session();
        if (s == null) {
            CompletableFuture<ScsiResult> failed =
                    CompletableFuture.failedFuture(
                            new IscsiInitiatorException("session is " + state));
            return new InitiatorSession.Command(
                    CompletableFuture.failedFuture(new IscsiInitiatorException("no tag")), failed);
        }
        return s.submit(lunField, cdb, dataOut, expectedDataIn);
    }

    /** A task management function on the current session; fails when not logged in. */
    public CompletableFuture<Integer> taskManagement(int function, long lunField) {
        InitiatorSession s = session();
        return s == null
                ? CompletableFuture.failedFuture(new IscsiInitiatorException("session is " + state))
                : s.taskManagement(function, lunField, Pdu.RESERVED_TAG);
    }

    /** ABORT TASK on the current session; fails when not logged in. */
    public CompletableFuture<Integer> abortTask(long lunField, int itt) {
        InitiatorSession s = session();
        return s == null
                ? CompletableFuture.failedFuture(new IscsiInitiatorException("session is " + state))
                : s.abortTask(lunField, itt);
    }

    /**
     * Drops the connection (a session reset): the session recovers as after any connection failure.
     */
    public void dropConnection() {
        InitiatorSession s = current;
        if (s != null) {
            s.close();
        }
    }

    private void attach(InitiatorSession s) {
        current = s;
        s.closeFuture().thenRun(() -> connectionLost(s));
    }

    private synchronized void moveTo(State to) {
        State from = state;
        if (from == to) {
            return;
        }
        state = to;
        log.info("session to {}: {} -> {}", address, from, to);
        listeners.forEach(l -> l.accept(from, to));
    }

    private void connectionLost(InitiatorSession s) {
        if (s != current || state == State.CLOSED) {
            return;
        }
        long failedAt = System.nanoTime();
        failedAtNanos = failedAt;
        moveTo(State.RECOVERING);
        timer.schedule(this::attempt, retryInterval.toMillis(), TimeUnit.MILLISECONDS);
        // a timer of its own, as iscsi_block_session queues recovery_work after recovery_tmo: it
        // fires however long a login attempt is left unanswered
        timer.schedule(
                () -> replacementTimeoutExpired(failedAt),
                replacementTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** open-iscsi: replacement_timeout expired, I/O fails fast from now on; attempts go on. */
    private synchronized void replacementTimeoutExpired(long failedAt) {
        if (state == State.RECOVERING && failedAtNanos == failedAt) {
            moveTo(State.FAILED);
        }
    }

    private void attempt() {
        if (state != State.RECOVERING && state != State.FAILED) {
            return;
        }
        initiator
                .login(address, config)
                .whenComplete(
                        (s, err) -> {
                            if (err == null
                                    && (state == State.RECOVERING || state == State.FAILED)) {
                                relogins.incrementAndGet();
                                attach(s);
                                moveTo(State.LOGGED_IN);
                            } else {
                                if (err != null) {
                                    log.debug("relogin to {} failed: {}", address, err.toString());
                                } else {
                                    s.close();
                                }
                                if (!timer.isShutdown()) {
                                    timer.schedule(
                                            this::attempt,
                                            retryInterval.toMillis(),
                                            TimeUnit.MILLISECONDS);
                                }
                            }
                        });
    }

    /** Logs out (when logged in) and stops recovering. */
    public CompletableFuture<Void> logout() {
        InitiatorSession s = session();
        moveTo(State.CLOSED);
        timer.shutdownNow();
        return s == null
                ? CompletableFuture.completedFuture(null)
                : s.logout().thenApply(code -> null);
    }

    @Override
    public void close() {
        InitiatorSession s = current;
        moveTo(State.CLOSED);
        timer.shutdownNow();
        if (s != null) {
            s.close();
        }
    }
}
