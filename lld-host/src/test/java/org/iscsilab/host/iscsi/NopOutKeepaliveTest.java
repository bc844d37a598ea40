package org.iscsilab.host.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.iscsilab.host.mid.DeviceState;
import org.iscsilab.host.mid.Policy;
import org.iscsilab.host.mid.ScsiDevice;
import org.iscsilab.host.module.Violations;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.NopOutKeepalive;
import org.iscsilab.iscsi.initiator.RecoveringSession;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Java host notices a target that stops answering the way Linux does: NOP-Out pings after a
 * quiet interval, and a connection dropped when one goes unanswered, so a freeze fault blocks its
 * devices as it blocks a Linux guest's.
 */
class NopOutKeepaliveTest {
    private static final String HOST = "iqn.2026-01.org.iscsilab:keepalive-host";
    private EmbeddedTarget target;
    private IscsiInitiator initiator;
    private IscsiLld lld;

    @BeforeEach
    void start() throws Exception {
        target = EmbeddedTarget.start("ram:16M");
        initiator = new IscsiInitiator(2);
        lld = new IscsiLld(initiator, Policy.CURRENT, new Violations(), false);
    }

    @AfterEach
    void stop() {
        initiator.close();
        target.close();
    }

    private IscsiHostSession login(NopOutKeepalive keepalive) {
        return login(keepalive, Duration.ofMinutes(2));
    }

    private IscsiHostSession login(NopOutKeepalive keepalive, Duration replacementTimeout) {
        IscsiHostSession s =
                lld.login(
                                target.address(),
                                InitiatorConfig.normal(target.iqn())
                                        .withInitiatorName(HOST)
                                        .withKeepalive(keepalive),
                                Duration.ofMillis(100),
                                replacementTimeout)
                        .join();
        s.scan();
        return s;
    }

    /** Milliseconds until {@code condition} holds, failing after {@code limit}. */
    private static long millisUntil(BooleanSupplier condition, Duration limit, String what)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit + " waiting for " + what);
            }
            Thread.sleep(10);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void withOpenIscsisDefaultsAFreezeBlocksTheHostWithinTenToFifteenSeconds() throws Exception {
        IscsiHostSession session = login(NopOutKeepalive.OPEN_ISCSI);
        ScsiDevice device = session.disk(0).device();
        target.faults().add("freeze,initiator=" + HOST);
        long blockedAfter =
                millisUntil(
                        () -> device.state() == DeviceState.BLOCK,
                        Duration.ofSeconds(20),
                        "the device to be blocked");
        // the connection was quiet since the scan: a ping 5 s on, dropped 5 s after that
        assertTrue(
                blockedAfter >= 9_000 && blockedAfter <= 15_000,
                "blocked " + blockedAfter + " ms after the freeze");
        assertEquals(RecoveringSession.State.RECOVERING, session.recovery().state());
    }

    /** Freezes the host's connections and waits for the keepalive to block the device. */
    private int freezeUntilBlocked(ScsiDevice device) throws InterruptedException {
        int freeze = target.faults().add("freeze,initiator=" + HOST).id();
        millisUntil(
                () -> device.state() == DeviceState.BLOCK,
                Duration.ofSeconds(5),
                "the device to be blocked");
        return freeze;
    }

    @Test
    void aFrozenTargetBlocksAndTheThawBringsTheDeviceBack() throws Exception {
        IscsiHostSession session =
                login(new NopOutKeepalive(Duration.ofMillis(200), Duration.ofMillis(200)));
        ScsiDevice device = session.disk(0).device();
        int freeze = freezeUntilBlocked(device);
        target.faults().remove(freeze);
        millisUntil(
                () -> device.state() == DeviceState.RUNNING,
                Duration.ofSeconds(15),
                "the relogin to unblock the device");
        assertEquals(1, session.recovery().relogins());
    }

    /**
     * open-iscsi's replacement_timeout is a timer of its own (iscsi_block_session queues the
     * recovery work): a relogin the frozen target holds unanswered does not delay it.
     */
    @Test
    void theReplacementTimeoutFiresWhileTheFrozenTargetHoldsTheRelogin() throws Exception {
        IscsiHostSession session =
                login(
                        new NopOutKeepalive(Duration.ofMillis(200), Duration.ofMillis(200)),
                        Duration.ofMillis(500));
        ScsiDevice device = session.disk(0).device();
        int freeze = freezeUntilBlocked(device);
        long offlineAfter =
                millisUntil(
                        () -> device.state() == DeviceState.TRANSPORT_OFFLINE,
                        Duration.ofSeconds(5),
                        "transport-offline while the relogin is held");
        assertTrue(offlineAfter < 2_000, "transport-offline " + offlineAfter + " ms after block");
        assertEquals(RecoveringSession.State.FAILED, session.recovery().state());
        assertEquals(0, session.recovery().relogins(), "the held login has not gone through");
        target.faults().remove(freeze);
        millisUntil(
                () -> device.state() == DeviceState.RUNNING,
                Duration.ofSeconds(15),
                "the held relogin to go through after the thaw");
    }

    /** The NOP-Out pings the target has answered so far. */
    private double pingsAnswered() {
        return target.server()
                .metrics()
                .registry()
                .get("iscsi.target.pings.answered")
                .counter()
                .count();
    }

    @Test
    void aTargetThatAnswersItsPingsKeepsTheConnection() throws Exception {
        // each ping has 2 s to be answered and read: room for a busy machine's stalls
        IscsiHostSession session =
                login(new NopOutKeepalive(Duration.ofMillis(100), Duration.ofSeconds(2)));
        double before = pingsAnswered();
        // the keepalive looks again one timeout after each ping: dropping the connection if the
        // ping is unanswered, else pinging again (it has been quiet for the interval). Three
        // answered pings are two such looks that kept the connection; a drop would have meant a
        // relogin
        millisUntil(
                () -> pingsAnswered() >= before + 3,
                Duration.ofSeconds(60),
                "three pings answered");
        assertEquals(RecoveringSession.State.LOGGED_IN, session.recovery().state());
        assertEquals(0, session.recovery().relogins());
        assertEquals(DeviceState.RUNNING, session.disk(0).device().state());
    }
}
