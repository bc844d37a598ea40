package org.iscsilab.host.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.host.mid.HostResult;
import org.iscsilab.host.mid.MultipathView;
import org.iscsilab.host.mid.Policy;
import org.iscsilab.host.mid.ScsiDisk;
import org.iscsilab.host.module.KernelBug;
import org.iscsilab.host.module.ModuleState;
import org.iscsilab.host.module.UnloadRefusedException;
import org.iscsilab.host.module.Violations;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The iSCSI LLD over a real connection: scan, sd I/O, block on failure, unblock on relogin, fail
 * fast after the timeout.
 */
class IscsiLldTest {
    private static final String HOST = "iqn.2026-01.org.iscsilab:host";
    private EmbeddedTarget target;
    private IscsiInitiator initiator;
    private final Violations violations = new Violations();
    private IscsiLld lld;

    @BeforeEach
    void start() throws Exception {
        target = EmbeddedTarget.start("ram:64M", "ram:16M,block=4096");
        initiator = new IscsiInitiator(2);
        lld = new IscsiLld(initiator, Policy.V4_11, violations, false);
    }

    @AfterEach
    void stop() {
        initiator.close();
        target.close();
    }

    private IscsiHostSession login(Duration replacementTimeout) {
        return lld.login(
                        target.address(),
                        InitiatorConfig.normal(target.iqn()).withInitiatorName(HOST),
                        Duration.ofMillis(100),
                        replacementTimeout)
                .join();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private long refusedLogins() {
        return target.events()
                .count(e -> e.type() == EventLog.Type.LOGIN && "REFUSED".equals(e.status()));
    }

    private static void clearUnitAttention(ScsiDisk d) {
        d.execute(new byte[] {0, 0, 0, 0, 0, 0}, null, 0).join();
    }

    @Test
    void scanFindsBothDisksWithTheirGeometryAndWriteCacheAndIoRoundTrips() {
        IscsiHostSession s = login(Duration.ofSeconds(30));
        assertEquals(2, s.scan().size());
        ScsiDisk d0 = s.disk(0);
        ScsiDisk d1 = s.disk(1);
        assertEquals((64 << 20) / 512, d0.blocks());
        assertEquals(4096, d1.blockSize());
        assertTrue(d0.writeCacheEnabled(), "the target reports WCE=1 in the caching page");
        assertEquals("running", d0.device().sysfsState());
        byte[] data = new byte[8 * 512];
        Arrays.fill(data, (byte) 0x3C);
        assertTrue(d0.write(100, data).join().good());
        assertArrayEquals(data, d0.read(100, 8).join().data());
        assertEquals(1, lld.module().references(), "the session pins the module");
    }

    @Test
    void aFailedConnectionBlocksTheTargetAndAReloginUnblocksItWithParkedIoCompleted()
            throws Exception {
        IscsiHostSession s = login(Duration.ofSeconds(30));
        s.scan();
        ScsiDisk d = s.disk(0);
        int refuse = target.faults().add("refuse-login,status=03/01,initiator=" + HOST).id();
        target.faults().add("drop,once,initiator=" + HOST);
        await(() -> d.device().sysfsState().equals("blocked"), "blocked");
        assertEquals(MultipathView.PATH_PENDING, MultipathView.of(d.device().sysfsState()));
        assertEquals(IscsiHostSession.TransportState.FAILED, s.state());
        long refusedBefore = refusedLogins();
        CompletableFuture<HostResult> parked = d.read(0, 1);
        // the session keeps trying: after two refused relogins the read has seen recovery fail and
        // go on
        await(() -> refusedLogins() >= refusedBefore + 2, "two refused relogins");
        assertFalse(parked.isDone(), "I/O waits on the stopped queue while the session recovers");
        target.faults().remove(refuse);
        await(() -> d.device().sysfsState().equals("running"), "running after relogin");
        HostResult r = parked.get(10, TimeUnit.SECONDS);
        assertEquals(HostResult.HostByte.DID_OK, r.hostByte());
        assertEquals(IscsiHostSession.TransportState.LOGGED_IN, s.state());
    }

    @Test
    void theReplacementTimeoutTakesDevicesTransportOfflineAndIoFailsFast() throws Exception {
        IscsiHostSession s = login(Duration.ofMillis(500));
        s.scan();
        ScsiDisk d = s.disk(0);
        target.faults().add("refuse-login,status=03/01,initiator=" + HOST);
        target.faults().add("drop,once,initiator=" + HOST);
        await(() -> d.device().sysfsState().equals("transport-offline"), "transport-offline");
        assertEquals(MultipathView.PATH_DOWN, MultipathView.of(d.device().sysfsState()));
        long t0 = System.nanoTime();
        HostResult r = d.read(0, 1).get(5, TimeUnit.SECONDS);
        assertEquals(HostResult.HostByte.DID_NO_CONNECT, r.hostByte(), "killed at prep (4.11)");
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 1000, "fast");
    }

    @Test
    void logoutOfALiveSessionSyncsEachDiskOverTheWireRemovesThemAndReleasesTheModule()
            throws Exception {
        IscsiHostSession s = login(Duration.ofSeconds(30));
        s.scan();
        clearUnitAttention(s.disk(0));
        UnloadRefusedException busy =
                assertThrows(UnloadRefusedException.class, () -> lld.module().unload(false));
        assertEquals("EWOULDBLOCK", busy.errno());
        long before = target.events().recorded();
        var device = s.disk(0).device();
        s.logout();
        assertEquals("deleted", device.sysfsState());
        assertEquals(
                List.of("created", "running", "cancel", "deleted"),
                device.timeline().stream().map(t -> t.to().sysfs()).toList());
        assertTrue(s.disks().isEmpty());
        assertEquals(0, lld.module().references());
        // a live session's disks are removed before the Logout PDU: sd's SYNCHRONIZE CACHE reaches
        // each LUN (both report WCE=1)
        assertEquals(
                Set.of(0, 1),
                target
                        .events()
                        .events(
                                e ->
                                        e.sequence() > before
                                                && e.type() == EventLog.Type.COMMAND
                                                && e.opcode() == 0x35
                                                && "GOOD".equals(e.status()))
                        .stream()
                        .map(EventLog.Event::lun)
                        .collect(Collectors.toSet()));
        lld.module().unload(false);
        assertEquals(ModuleState.UNLOADED, lld.module().state());
        assertTrue(violations.isEmpty(), violations.all().toString());
    }

    @Test
    void writeThroughTurnsTheTargetsWriteCacheOffAndDirtyRunsGoOutAsOneWriteEach()
            throws Exception {
        IscsiHostSession s = login(Duration.ofSeconds(30));
        s.scan();
        ScsiDisk d = s.disk(0);
        clearUnitAttention(d);
        assertTrue(d.writeCacheEnabled());
        d.setWriteThrough(); // MODE SELECT of the caching page, then revalidated from the target
        assertFalse(d.writeCacheEnabled());
        byte[] data = new byte[3 * d.blockSize()];
        Arrays.fill(data, (byte) 0x5A);
        d.writeBuffered(10, data);
        d.writeBuffered(100, Arrays.copyOf(data, d.blockSize()));
        assertEquals(4, d.dirtyBlocks());
        long before = target.events().recorded();
        assertEquals(0, d.writeBack(), "no write failed");
        assertEquals(0, d.dirtyBlocks());
        assertEquals(
                2,
                target.events()
                        .count(
                                e ->
                                        e.sequence() > before
                                                && e.type() == EventLog.Type.COMMAND
                                                && e.opcode() == 0x8A),
                "two runs of contiguous blocks, two WRITE(16)");
        assertArrayEquals(
                Arrays.copyOfRange(data, 0, d.blockSize()),
                d.read(12, 1).get(5, TimeUnit.SECONDS).data());
    }

    @Test
    void anOpenDiskPinsTheModuleUntilItIsClosed() throws Exception {
        IscsiLld srpLike = new IscsiLld(initiator, Policy.V4_11, violations, true);
        IscsiHostSession s =
                srpLike.login(
                                target.address(),
                                InitiatorConfig.normal(target.iqn()).withInitiatorName(HOST),
                                Duration.ofMillis(100),
                                Duration.ofSeconds(30))
                        .join();
        s.scan();
        ScsiDisk disk = s.disk(0);
        assertEquals(0, srpLike.module().references(), "its hosts do not pin the module");
        disk.open();
        UnloadRefusedException busy =
                assertThrows(UnloadRefusedException.class, () -> srpLike.module().unload(false));
        assertEquals("EWOULDBLOCK", busy.errno());
        disk.close();
        srpLike.module().unload(false); // the exit removes its host
        assertEquals(ModuleState.UNLOADED, srpLike.module().state());
        assertEquals("deleted", disk.device().sysfsState());
        assertThrows(IllegalStateException.class, disk::open, "sd_open: ENXIO");
    }

    /** docs/linux-midlayer.md §8: iscsi_sw_tcp_exit only unregisters the transport. */
    @Test
    void aForcedUnloadWithASessionAliveHitsBugInTransportContainerUnregister() throws Exception {
        IscsiHostSession s = login(Duration.ofSeconds(30));
        s.scan();
        KernelBug bug = assertThrows(KernelBug.class, () -> lld.module().unload(true));
        assertTrue(bug.site().startsWith("transport_container_unregister"), bug.getMessage());
        assertEquals(ModuleState.GOING, lld.module().state(), "the rmmod task died in exit");
        assertEquals(List.of(s), lld.sessions(), "nothing tore the session down");
        assertEquals("running", s.disk(0).device().sysfsState());
        // iscsi_if_recv_msg's try_module_get on the transport's owner fails from now on
        IllegalStateException refused =
                assertThrows(IllegalStateException.class, () -> lld.destroySession(s, () -> {}));
        assertTrue(refused.getMessage().contains("GOING"), refused.getMessage());
        assertEquals(List.of(s), lld.sessions());
    }

    @Test
    void aDestroyRequestEndsTheSessionAndPutsItsModuleReference() throws Exception {
        IscsiHostSession s = login(Duration.ofSeconds(30));
        s.scan();
        var device = s.disk(0).device();
        lld.destroySession(s, () -> {});
        assertEquals(List.of(), lld.sessions());
        assertEquals("deleted", device.sysfsState());
        assertEquals(0, lld.module().references(), "the request's own reference is put");
        lld.module().unload(false);
        assertEquals(ModuleState.UNLOADED, lld.module().state());
        assertTrue(violations.isEmpty(), violations.all().toString());
    }

    @Test
    void aCommandTheTargetNeverAnswersTimesOutAndTheErrorHandlerAbortsItOnTheWire()
            throws Exception {
        IscsiHostSession s = login(Duration.ofSeconds(30));
        s.scan();
        ScsiDisk d = s.disk(0);
        clearUnitAttention(d);
        d.device().setTimeout(Duration.ofMillis(500));
        target.faults().add("hang,op=read,lun=0,once");
        HostResult r = d.read(0, 1).get(10, TimeUnit.SECONDS);
        assertEquals(HostResult.HostByte.DID_TIME_OUT, r.hostByte());
        assertEquals(
                1,
                target.events()
                        .count(
                                e ->
                                        e.type() == EventLog.Type.TASK_MANAGEMENT
                                                && "function 1".equals(e.detail())
                                                && "response 0".equals(e.status())),
                "ABORT TASK reached the target and was answered FUNCTION COMPLETE");
        assertTrue(
                s.host().errorHandler().actions().get(1).startsWith("abort 0:0:0:0"),
                s.host().errorHandler().actions().toString());
        assertTrue(d.read(0, 1).get(10, TimeUnit.SECONDS).good(), "the next read is answered");
        assertEquals("running", d.device().sysfsState());
    }

    @Test
    void withTheLogoutPduFirstTheSynchronizeCacheNeverReachesTheTarget() throws Exception {
        lld.setRemoveDevicesBeforeLogout(false);
        IscsiHostSession s = login(Duration.ofSeconds(30));
        s.scan();
        clearUnitAttention(s.disk(0));
        var device = s.disk(0).device();
        long before = target.events().recorded();
        s.logout();
        assertEquals("deleted", device.sysfsState());
        assertEquals(
                0,
                target.events()
                        .count(
                                e ->
                                        e.sequence() > before
                                                && e.type() == EventLog.Type.COMMAND
                                                && e.opcode() == 0x35),
                "sd's command was failed by the closed session");
        assertTrue(s.disks().isEmpty(), "removed");
    }
}
