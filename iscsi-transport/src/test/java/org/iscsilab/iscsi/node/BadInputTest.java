package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.iscsilab.iscsi.codec.Wire;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.iscsi.login.LoginStatus;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.LoginRequest;
import org.iscsilab.iscsi.pdu.LoginResponse;
import org.iscsilab.iscsi.pdu.NopOut;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.Reject;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.scsi.Cdbs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Malformed input gets the RFC's answer — a Reject, a login failure with the right status, or a
 * dropped connection — and touches nothing else: a second session keeps doing verified I/O.
 */
class BadInputTest {
    static TestTarget target;
    static IscsiInitiator initiator;
    private InitiatorSession bystander;
    private CompletableFuture<Void> bystanderLoop;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger bystanderIos = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        TargetSettings settings =
                new TargetSettings(
                        65536,
                        262144,
                        65536,
                        4,
                        false,
                        true,
                        64,
                        Duration.ZERO,
                        Duration.ofSeconds(30),
                        new TargetLimits(1024, 4096, Duration.ofSeconds(2), Duration.ofSeconds(60)),
                        SessionOffer.DEFAULT,
                        NetworkIo.DEFAULT);
        target = TestTarget.start(settings, "ram:64M");
        initiator = new IscsiInitiator(2);
    }

    @AfterAll
    static void stopAll() {
        initiator.close();
        target.close();
    }

    /** A well-behaved session that writes and verifies blocks until the test ends. */
    @BeforeEach
    void startBystander() {
        bystander = initiator.login(target.address(), InitiatorConfig.normal(target.iqn())).join();
        bystander
                .execute(0, Cdbs.testUnitReady(), null, 0)
                .join(); // takes the power-on unit attention
        bystanderLoop =
                CompletableFuture.runAsync(
                        () -> {
                            int i = 0;
                            while (!stop.get()) {
                                byte[] data = new byte[4096];
                                Arrays.fill(data, (byte) i);
                                long lba = 1000 + (i % 100) * 8L;
                                ScsiResult w =
                                        bystander
                                                .execute(0, Cdbs.write10(lba, 8, false), data, 0)
                                                .join();
                                ScsiResult r =
                                        bystander
                                                .execute(0, Cdbs.read10(lba, 8), null, 4096)
                                                .join();
                                if (!w.good() || !r.good() || !Arrays.equals(data, r.data())) {
                                    throw new AssertionError(
                                            "bystander I/O failed at round "
                                                    + i
                                                    + ": "
                                                    + w
                                                    + " / "
                                                    + r);
                                }
                                bystanderIos.incrementAndGet();
                                i++;
                            }
                        });
    }

    @AfterEach
    void bystanderWasUnharmed() {
        int before = bystanderIos.get();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (bystanderIos.get() < before + 20 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        stop.set(true);
        bystanderLoop.join();
        assertTrue(
                bystanderIos.get() >= before + 20,
                "the other session kept doing I/O after the bad input");
        assertEquals(0, bystander.logout().join());
    }

    private static byte[] wire(Pdu pdu, boolean headerDigest) {
        return Wire.of(pdu, headerDigest, false);
    }

    private static RawConnection loggedIn() throws Exception {
        RawConnection c = new RawConnection(target.address());
        LoginResponse r =
                c.loginNormal(
                        "iqn.2026-01.org.example:raw", target.iqn(), InitiatorConfig.randomIsid());
        assertEquals(0, r.statusClass(), "raw login succeeds");
        return c;
    }

    @Test
    void aBadHeaderDigestDropsThatConnection() throws Exception {
        RawConnection c = new RawConnection(target.address());
        String text =
                "InitiatorName=iqn.2026-01.org.example:raw\0TargetName="
                        + target.iqn()
                        + "\0HeaderDigest=CRC32C\0DataDigest=None\0";
        c.send(
                new LoginRequest(
                        true,
                        false,
                        1,
                        3,
                        0,
                        0,
                        InitiatorConfig.randomIsid(),
                        0,
                        1,
                        0,
                        1,
                        0,
                        Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
        LoginResponse r = (LoginResponse) c.receive();
        assertEquals(0, r.statusClass());
        byte[] nop = wire(new NopOut(true, 0, 5, -1, 1, 1, Unpooled.EMPTY_BUFFER), true);
        nop[49] ^= 0x5A; // corrupt the header digest
        c.sendBytes(nop);
        assertTrue(c.closedByPeer(), "RFC 7143 §7.8: a header digest error ends the connection");
        c.close();
    }

    @Test
    void anUnknownOpcodeIsRejectedAndTheConnectionStays() throws Exception {
        try (RawConnection c = loggedIn()) {
            byte[] bhs = new byte[48];
            bhs[0] = 0x1C; // not an opcode RFC 7143 defines
            bhs[19] = 0x42;
            c.sendBytes(bhs);
            Reject reject = assertInstanceOf(Reject.class, c.receive());
            assertEquals(Reject.COMMAND_NOT_SUPPORTED, reject.reason());
            byte[] echoed = new byte[48];
            reject.data().getBytes(reject.data().readerIndex(), echoed);
            assertArrayEquals(bhs, echoed, "the Reject carries the rejected header");
            c.send(new NopOut(true, 0, 7, -1, 1, 1, Unpooled.EMPTY_BUFFER));
            assertEquals(7, c.receive().initiatorTaskTag(), "the connection still answers NOP-Out");
        }
    }

    @Test
    void aTruncatedLoginIsDroppedWhenTheLoginTimerExpires() throws Exception {
        try (RawConnection c = new RawConnection(target.address())) {
            byte[] login =
                    wire(
                            new LoginRequest(
                                    true,
                                    false,
                                    1,
                                    3,
                                    0,
                                    0,
                                    1,
                                    0,
                                    1,
                                    0,
                                    1,
                                    0,
                                    Unpooled.copiedBuffer(
                                            "InitiatorName=iqn.2026-01.org.example:x\0",
                                            StandardCharsets.UTF_8)),
                            false);
            c.sendBytes(Arrays.copyOf(login, 60)); // header and part of the text, then silence
            assertTrue(c.closedByPeer(), "the target closes a login that never completes");
        }
    }

    @Test
    void aDataSegmentBeyondMaxRecvDataSegmentLengthDropsThatConnection() throws Exception {
        try (RawConnection c = loggedIn()) {
            c.send(
                    new DataOut(
                            true,
                            0,
                            1,
                            -1,
                            1,
                            0,
                            0,
                            Unpooled.wrappedBuffer(new byte[65536 + 512])));
            assertTrue(
                    c.closedByPeer(),
                    "RFC 7143 §13.12: more than the declared MaxRecvDataSegmentLength");
        }
    }

    @Test
    void loginToAnUnknownTargetFailsWithTargetNotFound() throws Exception {
        try (RawConnection c = new RawConnection(target.address())) {
            LoginResponse r =
                    c.loginNormal(
                            "iqn.2026-01.org.example:raw", "iqn.2026-01.org.example:nothing", 1);
            assertEquals(LoginStatus.NOT_FOUND.code(), (r.statusClass() << 8) | r.statusDetail());
            assertTrue(c.closedByPeer());
        }
    }

    @Test
    void loginWithoutInitiatorNameFailsWithMissingParameter() throws Exception {
        try (RawConnection c = new RawConnection(target.address())) {
            LoginResponse r = c.loginNormal(null, target.iqn(), 1);
            assertEquals(
                    LoginStatus.MISSING_PARAMETER.code(),
                    (r.statusClass() << 8) | r.statusDetail());
        }
    }

    @Test
    void aScsiCommandOnADiscoverySessionIsRejected() throws Exception {
        try (RawConnection c = new RawConnection(target.address())) {
            c.send(
                    new LoginRequest(
                            true,
                            false,
                            1,
                            3,
                            0,
                            0,
                            1,
                            0,
                            1,
                            0,
                            1,
                            0,
                            Unpooled.copiedBuffer(
                                    "InitiatorName=iqn.2026-01.org.example:d\0SessionType=Discovery\0",
                                    StandardCharsets.UTF_8)));
            assertEquals(0, ((LoginResponse) c.receive()).statusClass());
            c.send(
                    new ScsiCommand(
                            false,
                            true,
                            false,
                            false,
                            1,
                            0,
                            3,
                            0,
                            1,
                            0,
                            new byte[16],
                            Unpooled.EMPTY_BUFFER));
            Reject reject = assertInstanceOf(Reject.class, c.receive());
            assertEquals(Reject.PROTOCOL_ERROR, reject.reason());
        }
    }
}
