package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * I_T nexus loss by a closed connection (SAM-5 §6.3.4): an initiator that closes its connection
 * without logging out and then logs in again must find the state of the nexus it dropped gone (here
 * a PREVENT MEDIUM REMOVAL, SPC-5 §6.17), even when the old connection's event loop is too busy to
 * have noticed the close; libiscsi's PreventAllow.ITNexusLoss does exactly this.
 */
class NexusLossTest {
    private static final long LUN0 = 0;
    private static final byte[] TUR = new byte[6];
    private static final byte[] PREVENT = {0x1E, 0, 0, 0, 0x01, 0};
    private static final byte[] EJECT = {0x1B, 0, 0, 0, 0x02, 0}; // START STOP UNIT, LOEJ=1

    private TestTarget target;
    private IscsiInitiator initiator;

    @BeforeEach
    void start() throws Exception {
        target = TestTarget.start("ram:16M,removable");
        initiator = new IscsiInitiator(1);
    }

    @AfterEach
    void stop() {
        initiator.close();
        target.close();
    }

    private InitiatorSession loginPreventing(long isid) {
        InitiatorSession s =
                initiator
                        .login(
                                target.address(),
                                InitiatorConfig.normal(target.iqn()).withIsid(isid))
                        .orTimeout(10, TimeUnit.SECONDS)
                        .join();
        s.execute(LUN0, TUR, null, 0).join(); // the power-on unit attention
        return s;
    }

    private static ScsiResult run(InitiatorSession s, byte[] cdb) {
        return s.execute(LUN0, cdb, null, 0).orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Test
    void aLoginAfterAClosedConnectionFindsTheDroppedNexusGoneThoughItsEventLoopIsBusy()
            throws Exception {
        requireEpoll();
        InitiatorSession first = loginPreventing(0x1);
        assertEquals(0, run(first, PREVENT).status());
        TargetSession dropped = target.sessions().get(0);
        Channel channel = dropped.connections().get(0).channel();
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        channel.eventLoop()
                .execute(
                        () -> {
                            busy.countDown();
                            awaitQuietly(release);
                        });
        try {
            assertTrue(busy.await(10, TimeUnit.SECONDS));
            first.close(); // TCP close, no Logout
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!PeerClosure.seen(channel) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(PeerClosure.seen(channel), "the kernel saw the initiator's FIN");
            assertFalse(dropped.ended(), "its event loop has not run");

            // the next connection is served by the group's next event loop (round robin)
            InitiatorSession second = loginPreventing(0x2);
            assertTrue(dropped.ended(), "the login ended the session whose connection was closed");
            assertEquals(0, run(second, EJECT).status(), "no nexus prevents removal any more");
            assertEquals(
                    List.of(second.tsih()), target.sessions().stream().map(s -> s.tsih()).toList());
        } finally {
            release.countDown();
        }
    }

    @Test
    void aLoginLeavesSessionsWhoseConnectionIsOpenAlone() {
        InitiatorSession first = loginPreventing(0x1);
        assertEquals(0, run(first, PREVENT).status());
        InitiatorSession second = loginPreventing(0x2);
        ScsiResult refused = run(second, EJECT);
        assertEquals(0x02, refused.status());
        assertEquals(0x05, refused.sense()[2] & 0x0F, "ILLEGAL REQUEST");
        assertEquals(0x53, refused.sense()[12]);
        assertEquals(0x02, refused.sense()[13], "MEDIUM REMOVAL PREVENTED");
        assertEquals(2, target.sessions().size());
    }

    /**
     * The kernel's view of a connection is read through the epoll transport: without it the test
     * cannot run, which fails it where ISCSILAB_REQUIRE_EXTERNAL says everything must run (CI).
     */
    private static void requireEpoll() {
        String why = "epoll is not available: " + Epoll.unavailabilityCause();
        if (System.getenv("ISCSILAB_REQUIRE_EXTERNAL") != null) {
            assertTrue(Epoll.isAvailable(), why);
        }
        assumeTrue(Epoll.isAvailable(), why);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
