package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.iscsilab.core.LunSpec;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.alua.AccessState;
import org.iscsilab.core.alua.TargetPortGroup;
import org.iscsilab.core.alua.TpgsMode;
import org.iscsilab.iscsi.initiator.DiscoveredTarget;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One target reached through two portal groups (RFC 7143 §4.4.1): each portal's connections log in
 * with its group's tag, SendTargets lists both portals with their tags, a session is told apart by
 * its portal group, and ALUA sees two target ports.
 */
class PortalGroupsTest {
    private static final String IQN = "iqn.2026-01.org.iscsilab:portal-groups";
    private static final long LUN0 = 0;
    private static final byte[] TUR = new byte[6];
    private static final byte[] READ_10 = {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0};

    private ExecutorService io;
    private ScsiTargetDevice device;
    private IscsiTargetServer server;
    private IscsiInitiator initiator;
    private InetSocketAddress portalA;
    private InetSocketAddress portalB;

    @BeforeEach
    void start() throws Exception {
        io = Executors.newFixedThreadPool(2);
        device = new ScsiTargetDevice(IQN);
        device.addLogicalUnit(LunSpec.parse("ram:16M").create(0, IQN, io));
        server =
                new IscsiTargetServer(
                        TargetSettings.defaults(),
                        List.of(
                                new InetSocketAddress("127.0.0.1", 0),
                                new InetSocketAddress("127.0.0.1", 0)),
                        List.of(),
                        List.of(1, 2),
                        new SimpleMeterRegistry());
        server.addTarget(new IscsiTarget(IQN, null, device));
        List<InetSocketAddress> bound = server.start();
        portalA = bound.get(0);
        portalB = bound.get(1);
        device.alua().setTargetPorts(server.portalGroupTags());
        initiator = new IscsiInitiator(1);
    }

    @AfterEach
    void stop() {
        initiator.close();
        server.shutdown(Duration.ofMillis(200));
        device.close();
        io.shutdownNow();
    }

    private InitiatorSession login(InetSocketAddress portal, long isid) {
        return initiator.login(portal, InitiatorConfig.normal(IQN).withIsid(isid)).join();
    }

    @Test
    void eachPortalLogsInWithItsGroupsTagAndSendTargetsListsBoth() {
        assertEquals(List.of(1, 2), server.portalGroupTags());
        assertEquals(1, login(portalA, 0x1).portalGroupTag());
        assertEquals(2, login(portalB, 0x2).portalGroupTag());
        List<DiscoveredTarget> found =
                initiator.discover(portalA, InitiatorConfig.DEFAULT_INITIATOR);
        assertEquals(
                List.of(
                        "127.0.0.1:" + portalA.getPort() + ",1",
                        "127.0.0.1:" + portalB.getPort() + ",2"),
                found.get(0).addresses());
    }

    @Test
    void oneIsidThroughTwoPortalGroupsIsTwoSessionsNotAReinstatement() {
        InitiatorSession a = login(portalA, 0x42);
        InitiatorSession b = login(portalB, 0x42);
        assertNotEquals(a.tsih(), b.tsih());
        assertEquals(2, server.sessions().all().size());
        // the power-on unit attention, once per I_T nexus: each session is its own nexus, and
        // the second login left the first one working
        for (InitiatorSession s : List.of(a, b)) {
            assertEquals(0x02, s.execute(LUN0, TUR, null, 0).join().status());
            assertEquals(0, s.execute(LUN0, TUR, null, 0).join().status());
        }
    }

    @Test
    void aluaSeesTwoTargetPortsAndAdmitsCommandsByTheirGroupsState() {
        device.alua()
                .configure(
                        TpgsMode.BOTH,
                        List.of(
                                TargetPortGroup.of(10, List.of(1), AccessState.ACTIVE_OPTIMIZED),
                                TargetPortGroup.of(20, List.of(2), AccessState.STANDBY)),
                        0);
        InitiatorSession a = login(portalA, 0x1);
        InitiatorSession b = login(portalB, 0x2);
        for (InitiatorSession s : List.of(a, b)) {
            s.execute(LUN0, TUR, null, 0).join(); // the power-on unit attention
        }
        assertEquals(0, a.execute(LUN0, READ_10, null, 512).join().status());
        ScsiResult refused = b.execute(LUN0, READ_10, null, 512).join();
        assertEquals(0x02, refused.status());
        assertEquals(0x02, refused.sense()[2] & 0x0F, "NOT READY");
        assertEquals(0x04, refused.sense()[12]);
        assertEquals(0x0B, refused.sense()[13], "target port in standby state");
        byte[] rtpg = {(byte) 0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
        ByteBuffer groups = ByteBuffer.wrap(b.execute(LUN0, rtpg, null, 256).join().data());
        // length-only format: a 4-byte header, then 8 bytes per group and 4 per port
        assertEquals(10, groups.getShort(6));
        assertEquals(1, groups.get(11), "one port");
        assertEquals(1, groups.getShort(14), "relative target port 1: portal group 1");
        assertEquals(AccessState.STANDBY.code(), groups.get(16) & 0x0F);
        assertEquals(20, groups.getShort(18));
        assertEquals(2, groups.getShort(26), "relative target port 2: portal group 2");
    }

    @Test
    void aPortalGroupTagOutsideSixteenBitsIsRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        new IscsiTargetServer(
                                TargetSettings.defaults(),
                                List.of(new InetSocketAddress("127.0.0.1", 0)),
                                List.of(),
                                List.of(0),
                                new SimpleMeterRegistry()));
    }
}
