package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.LoginRefusedException;
import org.iscsilab.iscsi.login.LoginStatus;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The limits keep a slow or hostile client from exhausting the target: idle and dribbling
 * connections are cut, connections and sessions beyond the limits are refused, and a real session
 * keeps working through all of it.
 */
class TargetLimitsTest {
    private TestTarget target;
    private final IscsiInitiator initiator = new IscsiInitiator(2);
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() {
        sockets.forEach(
                s -> {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                });
        initiator.close();
        if (target != null) {
            target.close();
        }
    }

    private void start(TargetLimits limits) throws Exception {
        target = TestTarget.start(TargetSettings.defaults().withLimits(limits), "ram:16M");
    }

    private InitiatorSession login() {
        InitiatorSession s =
                initiator.login(target.address(), InitiatorConfig.normal(target.iqn())).join();
        s.execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0)
                .join(); // the power-on unit attention
        return s;
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(target.address().getAddress(), target.address().getPort());
        sockets.add(s);
        return s;
    }

    /**
     * True when the target closed {@code s} within {@code wait}; false when it is still open then.
     */
    private static boolean closedByTarget(Socket s, Duration wait) throws IOException {
        s.setSoTimeout((int) Math.max(1, wait.toMillis()));
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the target
        }
    }

    private double dropped(String reason) {
        var counter =
                target.server()
                        .metrics()
                        .registry()
                        .find("iscsi.target.connections.dropped")
                        .tag("reason", reason)
                        .counter();
        return counter == null ? 0 : counter.count();
    }

    /** Reads 4 KiB at queue depth 4 until stopped, counting completions; any failure is kept. */
    private static final class Reader {
        final AtomicInteger done = new AtomicInteger();
        final AtomicBoolean stop = new AtomicBoolean();
        final CompletableFuture<Void> failed = new CompletableFuture<>();

        Reader(InitiatorSession s) {
            for (int i = 0; i < 4; i++) {
                next(s, i);
            }
        }

        private void next(InitiatorSession s, long lba) {
            if (stop.get()) {
                return;
            }
            s.execute(LunAddress.encode(0), Cdbs.read10(lba * 8, 8), null, 4096)
                    .whenComplete(
                            (r, e) -> {
                                if (e != null || !r.good()) {
                                    failed.complete(null);
                                    return;
                                }
                                done.incrementAndGet();
                                next(s, (lba + 4) % 4096);
                            });
        }

        /** Completions per second over {@code window}. */
        double rate(Duration window) throws InterruptedException {
            int before = done.get();
            Thread.sleep(window.toMillis());
            return (done.get() - before) * 1000.0 / window.toMillis();
        }
    }

    @Test
    void thousandIdleConnectionsAreClosedByTheIdleTimeoutWhileARealSessionKeepsItsIoRate()
            throws Exception {
        start(new TargetLimits(1024, 4096, Duration.ofSeconds(60), Duration.ofSeconds(2)));
        InitiatorSession busy = login();
        InitiatorSession quiet = login();
        Reader reader = new Reader(busy);
        double before = reader.rate(Duration.ofSeconds(1));
        long opened = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            connect();
        }
        double during = reader.rate(Duration.ofMillis(1500));
        for (Socket s : sockets) {
            assertTrue(
                    closedByTarget(s, Duration.ofSeconds(10)), "every idle connection is closed");
        }
        double seconds = (System.nanoTime() - opened) / 1e9;
        double after = reader.rate(Duration.ofSeconds(1));
        reader.stop.set(true);
        System.out.printf(
                "reads/s: %.0f before, %.0f with 1000 idle connections, %.0f after; all closed %.1f s after"
                        + " opening%n",
                before, during, after, seconds);
        assertTrue(seconds < 12, "closed after about the 2 s idle timeout, not " + seconds + " s");
        assertEquals(1000.0, dropped("idle"));
        assertTrue(!reader.failed.isDone(), "the real session's I/O never failed");
        assertTrue(
                during > 0.25 * before && after > 0.25 * before,
                "the real session keeps its I/O rate: "
                        + before
                        + " -> "
                        + during
                        + " -> "
                        + after);
        assertTrue(
                quiet.execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0).join().good(),
                "a normal session silent for longer than the idle timeout is kept (NOP-In pings watch those)");
    }

    @Test
    void aLoginThatDribblesIsCutByTheLoginTimeout() throws Exception {
        start(new TargetLimits(1024, 4096, Duration.ofSeconds(1), Duration.ZERO));
        Socket s = connect();
        OutputStream out = s.getOutputStream();
        long t0 = System.nanoTime();
        boolean closed = false;
        for (int i = 0; i < 40 && !closed; i++) {
            try {
                out.write(0x43); // one byte of a Login Request header at a time, never 48 of them
                out.flush();
            } catch (IOException e) {
                closed = true;
                break;
            }
            closed = closedByTarget(s, Duration.ofMillis(100));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(closed, "the target hung up");
        assertTrue(seconds < 3.5, "at the 1 s login timeout, not after " + seconds + " s");
        assertEquals(1.0, dropped("login-timeout"));
    }

    @Test
    void connectionsBeyondTheLimitAreClosedOnAcceptAndTheLimitFreesUpAgain() throws Exception {
        start(new TargetLimits(1024, 20, Duration.ofSeconds(60), Duration.ZERO));
        for (int i = 0; i < 25; i++) {
            connect();
        }
        int refused = 0;
        for (Socket s : sockets) {
            if (closedByTarget(s, Duration.ofMillis(300))) {
                refused++;
            }
        }
        assertEquals(5, refused, "20 kept, 5 closed on accept");
        assertEquals(5.0, dropped("limit"));
        for (Socket s : sockets) {
            s.close();
        }
        sockets.clear();
        InitiatorSession s = null;
        for (int attempt = 0; s == null && attempt < 50; attempt++) {
            try {
                s = login();
            } catch (CompletionException e) {
                Thread.sleep(100); // the closed sockets are still being counted down
            }
        }
        assertTrue(s != null && s.isOpen(), "once connections close, new ones are accepted");
    }

    @Test
    void aLoginFloodBeyondTheSessionLimitIsRefusedWithOutOfResources() throws Exception {
        start(new TargetLimits(4, 4096, Duration.ofSeconds(60), Duration.ZERO));
        List<CompletableFuture<InitiatorSession>> logins = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            logins.add(initiator.login(target.address(), InitiatorConfig.normal(target.iqn())));
        }
        List<InitiatorSession> in = new ArrayList<>();
        int outOfResources = 0;
        for (CompletableFuture<InitiatorSession> f : logins) {
            try {
                in.add(f.join());
            } catch (CompletionException e) {
                LoginRefusedException r =
                        assertInstanceOf(LoginRefusedException.class, e.getCause());
                assertEquals(
                        LoginStatus.OUT_OF_RESOURCES,
                        LoginStatus.of(r.statusClass(), r.statusDetail()));
                outOfResources++;
            }
        }
        assertEquals(4, in.size(), "exactly the limit got in, racing logins or not");
        assertEquals(8, outOfResources);
        assertEquals(4, target.sessions().size());
        in.get(0).logout().join();
        InitiatorSession again = null;
        for (int attempt = 0; again == null && attempt < 50; attempt++) {
            try {
                again = login();
            } catch (CompletionException e) {
                Thread.sleep(100); // the logged-out session is still being removed
            }
        }
        assertTrue(again != null, "a logout frees a place");
    }
}
