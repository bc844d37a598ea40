package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.iscsilab.iscsi.LeakWatch;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.iscsi.pdu.LoginRequest;
import org.iscsilab.iscsi.pdu.LoginResponse;
import org.iscsilab.iscsi.pdu.NopOut;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;

/**
 * Random login conversations against a live target (CHAP required on one of its targets): any
 * flags, stages, versions, TSIH, keys and values, sometimes a PDU that has no place in a login.
 * Every connection ends in a Login Response or is closed by the target, either at once or by the
 * login timeout; none is left hanging; every connection it opened is closed in the end; the target
 * keeps serving a session that was there all along; no buffer leaks.
 */
class LoginFuzzTest {
    private static final String CHAP_SECRET = "fuzz-secret-0123";
    private static TestTarget target;
    private static IscsiInitiator initiator;
    private static InitiatorSession bystander;
    private static final List<RawConnection> pending = new CopyOnWriteArrayList<>();
    private static final AtomicInteger loggedIn = new AtomicInteger();
    private static final AtomicInteger refused = new AtomicInteger();
    private static final AtomicInteger closed = new AtomicInteger();

    private static final String[] KEYS = {
        "InitiatorName",
        "TargetName",
        "SessionType",
        "AuthMethod",
        "CHAP_A",
        "CHAP_N",
        "CHAP_R",
        "CHAP_I",
        "CHAP_C",
        "HeaderDigest",
        "DataDigest",
        "MaxRecvDataSegmentLength",
        "MaxBurstLength",
        "FirstBurstLength",
        "ImmediateData",
        "InitialR2T",
        "MaxConnections",
        "ErrorRecoveryLevel",
        "MaxOutstandingR2T",
        "DefaultTime2Wait",
        "DefaultTime2Retain",
        "DataPDUInOrder",
        "OFMarker",
        "IFMarkInt",
        "TargetAlias",
        "SendTargets",
        "X-org.example.vendor",
        "iSCSIProtocolLevel",
        "TaskReporting",
        "X#bad",
        "",
        "NoEqualsSign"
    };

    @BeforeContainer
    static void start() throws Exception {
        LeakWatch.install();
        TargetSettings settings =
                TargetSettings.defaults()
                        .withLimits(
                                new TargetLimits(
                                        64, 4096, Duration.ofSeconds(2), Duration.ofSeconds(1)));
        target = TestTarget.start(settings, "ram:16M");
        target.requireChap(new ChapCredentials("fuzz", CHAP_SECRET), null);
        initiator = new IscsiInitiator(1);
        bystander =
                initiator
                        .login(
                                target.address(),
                                InitiatorConfig.normal(target.iqn())
                                        .withChap(new ChapCredentials("fuzz", CHAP_SECRET), null))
                        .join();
        bystander
                .execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0)
                .join(); // the unit attention
    }

    @AfterContainer
    static void everyConnectionEndsAndNothingLeaks() throws Exception {
        try {
            for (RawConnection c : pending) {
                c.timeout(5000); // the 2 s login timeout, with room
                assertTrue(c.closedByPeer(), "a login left unfinished is closed by the target");
                c.close();
            }
            System.out.printf(
                    "login fuzz: %d logged in, %d refused with a status, %d closed by the target%n",
                    loggedIn.get(), refused.get(), closed.get() + pending.size());
            assertTrue(
                    bystander
                            .execute(LunAddress.encode(0), Cdbs.read10(0, 8), null, 4096)
                            .join()
                            .good(),
                    "the session that was there all along still reads");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (connections() != 1 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(
                    1,
                    connections(),
                    "every connection the fuzzer opened is closed; the bystander's remains");
            assertEquals(1, target.sessions().size(), "only the bystander's session is left");
        } finally {
            initiator.close();
            target.close();
        }
        LeakWatch.assertNoLeaks();
    }

    private static int connections() {
        return (int)
                target.server()
                        .metrics()
                        .registry()
                        .get("iscsi.target.connections")
                        .gauge()
                        .value();
    }

    private static String value(Random r) {
        return switch (r.nextInt(10)) {
            case 0 -> target.iqn();
            case 1 -> "iqn.2026-01.org.example:fuzz" + r.nextInt(4);
            case 2 -> Long.toString(r.nextLong() >> r.nextInt(64));
            case 3 -> "0x" + Long.toHexString(r.nextLong());
            case 4 ->
                    List.of(
                                    "None",
                                    "CRC32C",
                                    "CHAP",
                                    "SRP",
                                    "Normal",
                                    "Discovery",
                                    "Yes",
                                    "No",
                                    "5",
                                    "7,5")
                            .get(r.nextInt(10));
            case 5 -> "fuzz";
            case 6 -> "";
            case 7 -> "x".repeat(r.nextInt(400));
            case 8 -> "NotUnderstood";
            default -> {
                byte[] b = new byte[r.nextInt(12)];
                r.nextBytes(b);
                yield new String(b, StandardCharsets.ISO_8859_1).replace('\0', '?');
            }
        };
    }

    private static String text(Random r) {
        StringBuilder sb = new StringBuilder();
        if (r.nextInt(4) != 0) {
            sb.append("InitiatorName=iqn.2026-01.org.example:fuzz")
                    .append(r.nextInt(4))
                    .append('\0');
        }
        int n = r.nextInt(8);
        for (int i = 0; i < n; i++) {
            String key = KEYS[r.nextInt(KEYS.length)];
            sb.append(key)
                    .append(key.equals("NoEqualsSign") ? "" : "=")
                    .append(value(r))
                    .append('\0');
        }
        if (r.nextInt(5) == 0 && sb.length() > 0) {
            sb.setLength(sb.length() - 1); // no final NUL
        }
        return sb.toString();
    }

    private static LoginRequest login(Random r) {
        int csg = r.nextInt(5) == 0 ? r.nextInt(4) : r.nextInt(2);
        int nsg = r.nextInt(5) == 0 ? r.nextInt(4) : (r.nextBoolean() ? 1 : 3);
        int version = r.nextInt(8) == 0 ? r.nextInt(256) : 0;
        int tsih = r.nextInt(8) == 0 ? r.nextInt(65536) : 0;
        return new LoginRequest(
                r.nextInt(3) != 0,
                r.nextInt(6) == 0,
                csg,
                nsg,
                version,
                version,
                (0x2L << 46) | r.nextInt(1 << 20),
                tsih,
                r.nextInt(),
                0,
                r.nextInt(4),
                r.nextInt(2),
                Unpooled.copiedBuffer(text(r), StandardCharsets.ISO_8859_1));
    }

    @Property(tries = 1000)
    void aRandomLoginConversationEndsInAnAnswerOrAClose(@ForAll long seed) throws IOException {
        Random r = new Random(seed);
        RawConnection c = new RawConnection(target.address());
        c.timeout(300);
        int steps = 1 + r.nextInt(3);
        try {
            for (int i = 0; i < steps; i++) {
                if (r.nextInt(10) == 0) {
                    // RFC 7143 §6.1: only Login Requests before the full feature phase
                    c.send(new NopOut(true, 0, r.nextInt(), -1, 1, 0, Unpooled.EMPTY_BUFFER));
                } else {
                    c.send(login(r));
                }
                Pdu answer = c.receive();
                if (answer == null) {
                    closed.incrementAndGet();
                    c.close();
                    return;
                }
                answer.release();
                if (answer instanceof LoginResponse lr && lr.statusClass() != 0) {
                    refused.incrementAndGet();
                    break; // the target closes after a failed login (RFC 7143 §6.7); checked at the
                    // end
                }
                if (answer instanceof LoginResponse lr && lr.transit() && lr.nextStage() == 3) {
                    loggedIn.incrementAndGet();
                    c.close(); // a well-formed login by chance: full feature phase, then gone
                    return;
                }
            }
        } catch (SocketTimeoutException silentSoFar) {
            // the target waits for more of the login; its login timeout must end it
        } catch (IOException gone) {
            closed.incrementAndGet();
            c.close();
            return;
        }
        pending.add(c);
    }
}
