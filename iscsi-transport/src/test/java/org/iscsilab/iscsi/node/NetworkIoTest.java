package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.iscsi.node.NetworkIo.Transport;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The event loops can wait on epoll, io_uring or NIO, sleeping or polling, and a target serves
 * commands the same way on each: inline (RAM LUN), handed back from the I/O pool (file LUN), and
 * with its timers (the login timeout) still firing while the loops spin.
 */
class NetworkIoTest {
    @TempDir Path dir;

    @Test
    void transportsAreNamedAsTheOptionSpellsThem() {
        assertEquals(Transport.IO_URING, Transport.parse("io_uring"));
        assertEquals(Transport.IO_URING, Transport.parse("io-uring"));
        assertEquals(Transport.EPOLL, Transport.parse("EPOLL"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Transport.parse("kqueue"));
        assertEquals(
                "unknown I/O transport 'kqueue'; use auto, epoll, io_uring or nio", e.getMessage());
    }

    @Test
    void pollingIsRefusedOnIoUringWhoseLoopAlwaysWaits() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new NetworkIo(Transport.IO_URING, true, 0));
        assertTrue(e.getMessage().startsWith("polling needs the epoll or nio transport"));
    }

    @Test
    void aPollingTargetSpinsOneLoopUnlessToldOtherwise() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(2 * cores, NetworkIo.DEFAULT.connectionLoops());
        assertEquals(1, new NetworkIo(Transport.AUTO, true, 0).connectionLoops());
        assertEquals(3, new NetworkIo(Transport.AUTO, true, 3).connectionLoops());
        assertThrows(
                IllegalArgumentException.class, () -> new NetworkIo(Transport.AUTO, false, -1));
        assertThrows(
                IllegalArgumentException.class, () -> new NetworkIo(Transport.AUTO, false, 257));
    }

    @Test
    void autoIsEpollWhereItLoads() {
        assertEquals(
                Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO,
                NetworkIo.DEFAULT.resolved());
    }

    @Test
    void aTransportThisMachineLacksIsRefusedWithItsReason() {
        if (IoUring.isAvailable()) {
            assertEquals(
                    Transport.IO_URING, new NetworkIo(Transport.IO_URING, false, 0).resolved());
        } else {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> new NetworkIo(Transport.IO_URING, false, 0).resolved());
            assertTrue(e.getMessage().startsWith("io_uring is not available here: "));
        }
    }

    /**
     * Every transport this machine has; in CI (ISCSILAB_REQUIRE_EXTERNAL=1) epoll and io_uring are
     * always tried, so a CI kernel without them fails here instead of dropping their cases.
     */
    static Stream<Arguments> choices() {
        boolean required = "1".equals(System.getenv("ISCSILAB_REQUIRE_EXTERNAL"));
        List<Arguments> all = new ArrayList<>();
        all.add(Arguments.of(Transport.NIO, false));
        all.add(Arguments.of(Transport.NIO, true));
        if (required || Epoll.isAvailable()) {
            all.add(Arguments.of(Transport.EPOLL, false));
            all.add(Arguments.of(Transport.EPOLL, true));
        }
        if (required || IoUring.isAvailable()) {
            all.add(Arguments.of(Transport.IO_URING, false));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, polling {1}")
    @MethodSource("choices")
    void writesAndReadsAndTimersWorkOnEveryTransport(Transport transport, boolean poll)
            throws Exception {
        Path file = dir.resolve("lun.img");
        TargetSettings settings =
                TargetSettings.defaults()
                        .withLimits(
                                new TargetLimits(
                                        16, 64, Duration.ofMillis(300), Duration.ofSeconds(60)))
                        .withNetworkIo(new NetworkIo(transport, poll, 0));
        try (TestTarget target = TestTarget.start(settings, "ram:4M", "file:" + file + ":4M");
                IscsiInitiator initiator = new IscsiInitiator(1)) {
            InitiatorSession s =
                    initiator.login(target.address(), InitiatorConfig.normal(target.iqn())).join();
            byte[] data = new byte[64 * 1024];
            new Random(7).nextBytes(data);
            for (int lun = 0; lun < 2; lun++) {
                long field = LunAddress.encode(lun);
                s.execute(field, Cdbs.testUnitReady(), null, 0).join(); // the power-on UA
                ScsiResult w = s.execute(field, Cdbs.write16(8, 128, lun == 1), data, 0).join();
                assertTrue(w.good(), "write to LUN " + lun + ": " + w);
                ScsiResult r = s.execute(field, Cdbs.read16(8, 128), null, data.length).join();
                assertTrue(r.good(), "read of LUN " + lun + ": " + r);
                assertArrayEquals(data, r.data(), "LUN " + lun + " reads what was written");
            }
            // a connection that never logs in is cut by the login timer, polling or not
            try (Socket idle =
                    new Socket(target.address().getAddress(), target.address().getPort())) {
                idle.setSoTimeout(5000);
                long start = System.nanoTime();
                InputStream in = idle.getInputStream();
                assertEquals(-1, in.read(), "the target closes the connection");
                assertTrue(
                        System.nanoTime() - start < Duration.ofSeconds(4).toNanos(),
                        "closed by the 300 ms login timer");
            }
            s.logout().join();
        }
    }
}
