package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.LoginRefusedException;
import org.iscsilab.iscsi.initiator.RecoveringSession;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Connection and login faults: freeze and thaw, drop, unanswered NOPs, async messages, refused and
 * slow logins.
 */
class ConnectionFaultTest {
    private static final String HOST_A = "iqn.2026-01.org.example:host-a";
    private static final String HOST_B = "iqn.2026-01.org.example:host-b";
    private TestTarget target;
    private IscsiInitiator initiator;

    @BeforeEach
    void start() throws Exception {
        target = TestTarget.start("ram:16M");
        initiator = new IscsiInitiator(2);
    }

    @AfterEach
    void stop() {
        initiator.close();
        target.close();
    }

    private InitiatorSession login(String name) {
        InitiatorSession s =
                initiator
                        .login(
                                target.address(),
                                InitiatorConfig.normal(target.iqn()).withInitiatorName(name))
                        .join();
        s.execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0)
                .join(); // power-on unit attention
        return s;
    }

    private static CompletableFuture<ScsiResult> read(InitiatorSession s) {
        return s.execute(LunAddress.encode(0), Cdbs.read10(0, 1), null, 512);
    }

    @Test
    void aFrozenConnectionAnswersNothingUntilThawedThenResumesOnTheSameConnection()
            throws Exception {
        InitiatorSession a = login(HOST_A);
        InitiatorSession b = login(HOST_B);
        int rule = target.faults().add("freeze,initiator=" + HOST_A).id();
        CompletableFuture<ScsiResult> stuck = read(a);
        assertThrows(
                TimeoutException.class,
                () -> stuck.get(700, TimeUnit.MILLISECONDS),
                "A's peer looks dead");
        assertTrue(read(b).get(5, TimeUnit.SECONDS).good(), "B keeps working meanwhile");
        target.faults().remove(rule);
        assertTrue(
                stuck.get(5, TimeUnit.SECONDS).good(), "the held command completes after the thaw");
        assertTrue(read(a).get(5, TimeUnit.SECONDS).good());
        assertTrue(a.isOpen(), "still the same connection");
    }

    @Test
    void aLoginWhileFrozenWaitsUnansweredAndCompletesOnTheSameConnectionOnceThawed()
            throws Exception {
        int rule = target.faults().add("freeze,initiator=" + HOST_A).id();
        CompletableFuture<InitiatorSession> attempt =
                initiator.login(
                        target.address(),
                        InitiatorConfig.normal(target.iqn()).withInitiatorName(HOST_A));
        assertThrows(
                TimeoutException.class,
                () -> attempt.get(700, TimeUnit.MILLISECONDS),
                "a dead peer to new logins");
        assertTrue(
                read(login(HOST_B)).get(5, TimeUnit.SECONDS).good(),
                "other initiators log in meanwhile");
        assertEquals(
                1,
                target.events()
                        .count(e -> e.type() == EventLog.Type.LOGIN && "HELD".equals(e.status())));
        target.faults().remove(rule);
        InitiatorSession a = attempt.get(5, TimeUnit.SECONDS);
        a.execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0)
                .join(); // power-on unit attention
        assertTrue(read(a).get(5, TimeUnit.SECONDS).good());
    }

    @Test
    void aDropRuleClosesTheMatchingConnectionAtOnceAndOnceMeansOnce() throws Exception {
        InitiatorSession a = login(HOST_A);
        InitiatorSession b = login(HOST_B);
        target.faults().add("drop,once,fin=false,initiator=" + HOST_A);
        a.closeFuture().get(5, TimeUnit.SECONDS);
        assertFalse(a.isOpen());
        assertTrue(read(b).get(5, TimeUnit.SECONDS).good());
        InitiatorSession again = login(HOST_A);
        assertTrue(
                read(again).get(5, TimeUnit.SECONDS).good(),
                "the rule fired once; a new login works");
    }

    @Test
    void ignoredNopsGoUnansweredWhileCommandsStillWork() {
        InitiatorSession a = login(HOST_A);
        target.faults().add("ignore-nops");
        CompletableFuture<byte[]> ping = a.nop(new byte[] {1, 2, 3});
        // the target answers a ping on the spot, before it reads the command sent after it
        assertTrue(read(a).join().good());
        assertFalse(ping.isDone(), "the ping sent before the read is unanswered");
    }

    @Test
    void anAsyncLogoutRequestMakesTheInitiatorLogOut() throws Exception {
        InitiatorSession a = login(HOST_A);
        target.faults().add("async,event=1,initiator=" + HOST_A);
        a.closeFuture().get(5, TimeUnit.SECONDS);
        assertEquals(1, target.events().count(e -> e.type() == EventLog.Type.LOGOUT));
    }

    @Test
    void aRefusedLoginCarriesTheChosenStatusAndOtherInitiatorsGetIn() {
        target.faults().add("refuse-login,status=02/01,initiator=" + HOST_A);
        CompletionException e = assertThrows(CompletionException.class, () -> login(HOST_A));
        LoginRefusedException refused = (LoginRefusedException) e.getCause();
        assertEquals(0x02, refused.statusClass());
        assertEquals(0x01, refused.statusDetail(), "authentication failure");
        assertTrue(read(login(HOST_B)).join().good());
        assertEquals(
                1,
                target.events()
                        .count(
                                x ->
                                        x.type() == EventLog.Type.LOGIN
                                                && "REFUSED".equals(x.status())));
    }

    @Test
    void aDelayedLoginAnswersLate() {
        target.faults().add("delay-login=600ms,once");
        long t0 = System.nanoTime();
        login(HOST_A);
        assertTrue(
                Duration.ofNanos(System.nanoTime() - t0).toMillis() >= 600,
                "the first login waited");
    }

    @Test
    void afterADropTheRecoveringSessionLogsInAgainAndCommandsWorkOnTheNewConnection()
            throws Exception {
        RecoveringSession r =
                RecoveringSession.open(
                                initiator,
                                target.address(),
                                InitiatorConfig.normal(target.iqn()).withInitiatorName(HOST_A),
                                Duration.ofMillis(100),
                                Duration.ofSeconds(10))
                        .join();
        List<String> seen = new CopyOnWriteArrayList<>();
        r.onStateChange((from, to) -> seen.add(from + "->" + to));
        target.faults().add("drop,once,initiator=" + HOST_A);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (r.relogins() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, r.relogins());
        assertEquals(List.of("LOGGED_IN->RECOVERING", "RECOVERING->LOGGED_IN"), seen);
        r.execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0)
                .join(); // the new nexus' unit attention
        assertTrue(r.execute(LunAddress.encode(0), Cdbs.read10(0, 1), null, 512).join().good());
        assertEquals(
                2,
                target.events()
                        .count(
                                e ->
                                        e.type() == EventLog.Type.LOGIN
                                                && HOST_A.equals(e.initiator())));
        r.logout().join();
    }

    @Test
    void whenLoginsKeepFailingTheReplacementTimeoutFailsTheSession() throws Exception {
        RecoveringSession r =
                RecoveringSession.open(
                                initiator,
                                target.address(),
                                InitiatorConfig.normal(target.iqn()).withInitiatorName(HOST_A),
                                Duration.ofMillis(100),
                                Duration.ofMillis(800))
                        .join();
        target.faults()
                .add(
                        "refuse-login,status=03/01,initiator="
                                + HOST_A); // target error: service unavailable
        target.faults().add("drop,once,initiator=" + HOST_A);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (r.state() != RecoveringSession.State.FAILED && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(RecoveringSession.State.FAILED, r.state());
        CompletionException e =
                assertThrows(
                        CompletionException.class,
                        () ->
                                r.execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0)
                                        .join());
        assertTrue(e.getCause().getMessage().contains("FAILED"), e.getCause().getMessage());
        assertTrue(
                target.events()
                                .count(
                                        x ->
                                                x.type() == EventLog.Type.LOGIN
                                                        && "REFUSED".equals(x.status()))
                        >= 2,
                "it kept trying every 100 ms");
        r.close();
    }
}
