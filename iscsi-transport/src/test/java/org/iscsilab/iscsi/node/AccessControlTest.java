package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.LoginRefusedException;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Initiator ACLs by name and network (authorization failure, RFC 7143 §11.13.5) and LUN masking.
 */
class AccessControlTest {
    private static final String ALLOWED = "iqn.2026-01.org.example:allowed";
    private static final String STRANGER = "iqn.2026-01.org.example:stranger";
    private TestTarget target;
    private IscsiInitiator initiator;

    @BeforeEach
    void start() throws Exception {
        target = TestTarget.start("ram:16M", "ram:16M", "ram:16M");
        initiator = new IscsiInitiator(1);
    }

    @AfterEach
    void stop() {
        initiator.close();
        target.close();
    }

    private InitiatorSession login(String name) {
        return initiator
                .login(
                        target.address(),
                        InitiatorConfig.normal(target.iqn()).withInitiatorName(name))
                .join();
    }

    private IscsiTarget node() {
        return target.server().target(target.iqn());
    }

    @Test
    void anInitiatorNotOnTheListIsRefusedWithAuthorizationFailureAndDoesNotDiscoverTheTarget() {
        node().access().allowNames(List.of(ALLOWED));
        CompletionException e = assertThrows(CompletionException.class, () -> login(STRANGER));
        LoginRefusedException refused = (LoginRefusedException) e.getCause();
        assertEquals(0x02, refused.statusClass());
        assertEquals(0x02, refused.statusDetail(), "authorization failure");
        assertEquals(
                1,
                target.events()
                        .count(
                                x ->
                                        x.type() == EventLog.Type.LOGIN
                                                && STRANGER.equals(x.initiator())
                                                && "FAILED".equals(x.status())
                                                && x.detail()
                                                        .contains("not on the target's list")));
        assertTrue(
                initiator.discover(target.address(), STRANGER).isEmpty(),
                "SendTargets hides the target");
        assertEquals(1, initiator.discover(target.address(), ALLOWED).size());
        login(ALLOWED).logout().join();
    }

    @Test
    void aNetworkListAdmitsOnlyAddressesInsideIt() throws Exception {
        node().access().allowNetworks(List.of("10.0.0.0/8"));
        CompletionException e = assertThrows(CompletionException.class, () -> login(ALLOWED));
        assertEquals(0x02, ((LoginRefusedException) e.getCause()).statusDetail());
        node().access().allowNetworks(List.of("10.0.0.0/8", "127.0.0.0/8"));
        login(ALLOWED).logout().join();

        InitiatorAccess access = new InitiatorAccess();
        access.allowNetworks(List.of("fd00::/8", "192.168.1.0/24"));
        assertEquals(null, access.refusal(ALLOWED, InetAddress.getByName("192.168.1.77")));
        assertEquals(null, access.refusal(ALLOWED, InetAddress.getByName("fd12::1")));
        assertTrue(
                access.refusal(ALLOWED, InetAddress.getByName("192.168.2.1")).contains("outside"));
        IllegalArgumentException bad =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> access.allowNetworks(List.of("10.0.0.0/33")));
        assertTrue(bad.getMessage().contains("0 to 32"), bad.getMessage());
    }

    @Test
    void aMaskedInitiatorSeesOnlyItsLunsOverTheWire() {
        target.device().masking().restrict(ALLOWED, Set.of(0, 2));
        InitiatorSession masked = login(ALLOWED);
        InitiatorSession other = login(STRANGER);
        byte[] luns =
                masked.execute(LunAddress.encode(0), Cdbs.reportLuns(256), null, 256).join().data();
        assertEquals(16, luns[3] & 0xFF, "two LUNs reported");
        assertEquals(
                24,
                other.execute(LunAddress.encode(0), Cdbs.reportLuns(256), null, 256)
                                .join()
                                .data()[3]
                        & 0xFF);
        var hidden = masked.execute(LunAddress.encode(1), Cdbs.testUnitReady(), null, 0).join();
        assertEquals(0x25, hidden.senseData().asc(), "LOGICAL UNIT NOT SUPPORTED");
        masked.logout().join();
        other.logout().join();
    }
}
