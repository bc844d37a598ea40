package org.iscsilab.host.multipath;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.iscsilab.core.alua.AccessState;
import org.iscsilab.core.fault.FaultScope;
import org.iscsilab.host.iscsi.IscsiHostSession;
import org.iscsilab.host.iscsi.IscsiLld;
import org.iscsilab.host.mid.HostResult;
import org.iscsilab.host.mid.Policy;
import org.iscsilab.host.mid.ScsiDisk;
import org.iscsilab.host.module.Violations;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.NopOutKeepalive;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The multipath model over two paths to one LUN, one per portal group of an ALUA target (group 1
 * active/optimized, group 2 active/non-optimized), with stamped writes verified at the end.
 */
class MultipathDeviceTest {
    private static final String HOST = "iqn.2026-01.org.iscsilab:multipath-host";
    private static final int BLOCK = 512;

    private EmbeddedTarget target;
    private IscsiInitiator initiator;
    private IscsiLld lld;
    private MultipathDevice mpath;
    private final List<byte[]> written = new ArrayList<>();
    private final List<IscsiHostSession> sessions = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        target = EmbeddedTarget.start(EmbeddedTarget.twoPortalGroups(null, "ram:16M", "ram:8M"));
        initiator = new IscsiInitiator(2);
        lld = new IscsiLld(initiator, Policy.CURRENT, new Violations(), false);
        List<ScsiDisk> disks = new ArrayList<>();
        for (int portal = 0; portal < 2; portal++) {
            IscsiHostSession s =
                    lld.login(
                                    target.runtime().bound().get(portal),
                                    InitiatorConfig.normal(target.iqn())
                                            .withInitiatorName(HOST)
                                            .withKeepalive(
                                                    new NopOutKeepalive(
                                                            Duration.ofMillis(200),
                                                            Duration.ofMillis(200))),
                                    Duration.ofMillis(100),
                                    Duration.ofSeconds(1))
                            .join();
            s.scan();
            sessions.add(s);
            disks.add(s.disk(0));
        }
        mpath = MultipathDevice.of(disks, Duration.ofMillis(100), -1);
    }

    @AfterEach
    void stop() {
        mpath.close();
        lld.sessions().forEach(s -> s.recovery().close());
        initiator.close();
        target.close();
    }

    private HostResult write(long lba) throws Exception {
        byte[] stamp = new byte[BLOCK];
        Arrays.fill(stamp, (byte) (lba * 7 + 1));
        HostResult r = mpath.write(lba, stamp).get(20, TimeUnit.SECONDS);
        if (r.good()) {
            while (written.size() <= lba) {
                written.add(null);
            }
            written.set((int) lba, stamp);
        }
        return r;
    }

    private void verifyEveryWrittenBlock() throws Exception {
        for (int lba = 0; lba < written.size(); lba++) {
            if (written.get(lba) != null) {
                HostResult r = mpath.read(lba, 1).get(20, TimeUnit.SECONDS);
                assertTrue(r.good(), "read " + lba + ": " + r);
                assertArrayEquals(written.get(lba), r.data(), "block " + lba);
            }
        }
    }

    private static void await(BooleanSupplier c, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!c.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    private Path path(int group) {
        return mpath.paths().stream().filter(p -> p.group() == group).findFirst().orElseThrow();
    }

    @Test
    void pathsAreGroupedByAluaPriorityAndAPathToAnotherUnitIsRefused() throws Exception {
        assertEquals(50, path(1).priority(), mpath.topology());
        assertEquals(10, path(2).priority(), mpath.topology());
        assertTrue(write(0).good());
        // LUN 1 through the same portal is another logical unit: its NAA differs
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                MultipathDevice.of(
                                        List.of(sessions.get(0).disk(0), sessions.get(0).disk(1)),
                                        Duration.ofMillis(100),
                                        -1));
        assertTrue(e.getMessage().contains("NAA differs"), e.getMessage());
    }

    @Test
    void whenTheActiveGroupGoesUnavailableTheIoMovesToTheOtherPath() throws Exception {
        for (int lba = 0; lba < 20; lba++) {
            assertTrue(write(lba).good());
        }
        target.device().alua().setState(1, AccessState.UNAVAILABLE, "test");
        for (int lba = 20; lba < 40; lba++) {
            HostResult r = write(lba);
            assertTrue(r.good(), "write " + lba + " after the failover: " + r);
        }
        await(() -> path(1).priority() == 0, "group 1's priority to drop");
        assertEquals(PathState.DOWN, path(1).state(), mpath.topology());
        // failback when group 1 is optimized again
        target.device().alua().setState(1, AccessState.ACTIVE_OPTIMIZED, "test");
        await(() -> path(1).state() == PathState.UP && path(1).priority() == 50, "group 1 back up");
        for (int lba = 40; lba < 50; lba++) {
            assertTrue(write(lba).good());
        }
        verifyEveryWrittenBlock();
    }

    @Test
    void withBothPathsDownIoWaitsInTheQueueAndCompletesWhenAPathReturns() throws Exception {
        assertTrue(write(0).good());
        int freeze = target.faults().add("freeze,initiator=" + HOST).id();
        byte[] stamp = new byte[BLOCK];
        Arrays.fill(stamp, (byte) 0x5C);
        CompletableFuture<HostResult> waiting = mpath.write(1, stamp);
        await(() -> mpath.queuedRequests() > 0, "the write to wait for a path");
        assertFalse(waiting.isDone(), "queue_if_no_path: the write waits");
        target.faults().remove(freeze);
        HostResult r = waiting.get(20, TimeUnit.SECONDS);
        assertTrue(r.good(), "completed once a path returned: " + r);
        written.add(stamp);
        verifyEveryWrittenBlock();
    }

    @Test
    void aPathWhoseTestUnitReadyGoesUnansweredIsDownAfterTheCheckerTimeout() throws Exception {
        String portal1 = FaultScope.portalName(target.runtime().bound().get(0));
        // the logical unit stops answering TEST UNIT READY through portal 1; NOPs still answer
        int hang = target.faults().add("hang,op=tur,portal=" + portal1).id();
        await(() -> path(1).state() == PathState.DOWN, "path 1 to be down (PATH_TIMEOUT)");
        assertEquals(PathState.UP, path(2).state(), mpath.topology());
        assertTrue(write(0).good(), "I/O goes down path 2");
        target.faults().remove(hang);
    }
}
