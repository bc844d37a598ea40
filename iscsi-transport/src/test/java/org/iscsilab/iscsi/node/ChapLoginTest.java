package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletionException;
import org.iscsilab.iscsi.initiator.DiscoveredTarget;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.LoginRefusedException;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.iscsi.login.ChapRequirement;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CHAP between the Java initiator and the target, one-way and mutual, over a real connection. */
class ChapLoginTest {
    private static final ChapCredentials ALICE = new ChapCredentials("alice", "alice-secret-123");
    private static final ChapCredentials TARGET =
            new ChapCredentials("the-target", "target-secret-456");
    private TestTarget target;
    private IscsiInitiator initiator;

    @BeforeEach
    void start() throws Exception {
        target = TestTarget.start("ram:16M");
        initiator = new IscsiInitiator(1);
    }

    @AfterEach
    void stop() {
        initiator.close();
        target.close();
    }

    private InitiatorSession login(ChapCredentials ours, ChapCredentials theirs) {
        InitiatorConfig c = InitiatorConfig.normal(target.iqn());
        return initiator
                .login(target.address(), ours == null ? c : c.withChap(ours, theirs))
                .join();
    }

    @Test
    void oneWayChapLogsInAndCommandsWork() {
        target.requireChap(ALICE, null);
        InitiatorSession s = login(ALICE, null);
        s.execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0).join();
        assertTrue(s.execute(LunAddress.encode(0), Cdbs.read10(0, 1), null, 512).join().good());
    }

    @Test
    void aWrongSecretOrNoCredentialsIsRefusedWithAuthenticationFailure() {
        target.requireChap(ALICE, null);
        for (ChapCredentials wrong :
                new ChapCredentials[] {new ChapCredentials("alice", "not-alices-secret"), null}) {
            CompletionException e =
                    assertThrows(CompletionException.class, () -> login(wrong, null));
            LoginRefusedException refused = (LoginRefusedException) e.getCause();
            assertEquals(0x02, refused.statusClass());
            assertEquals(0x01, refused.statusDetail());
        }
    }

    @Test
    void mutualChapAuthenticatesBothSides() {
        target.requireChap(ALICE, TARGET);
        InitiatorSession s = login(ALICE, TARGET);
        assertTrue(s.tsih() != 0);
    }

    @Test
    void theInitiatorRefusesATargetThatCannotProveItsSecret() {
        target.requireChap(ALICE, TARGET);
        CompletionException e =
                assertThrows(
                        CompletionException.class,
                        () ->
                                login(
                                        ALICE,
                                        new ChapCredentials("the-target", "what-we-think-it-is")));
        assertTrue(e.getCause().getMessage().contains("mutual CHAP"), e.getCause().getMessage());
    }

    @Test
    void aTargetWithoutChapStillAcceptsLoginsWithoutIt() {
        assertTrue(login(null, null).tsih() != 0);
    }

    private List<DiscoveredTarget> discover(ChapCredentials ours, ChapCredentials theirs) {
        InitiatorConfig c = InitiatorConfig.discovery();
        InitiatorSession s =
                initiator
                        .login(target.address(), ours == null ? c : c.withChap(ours, theirs))
                        .join();
        try {
            return s.sendTargets("All").join();
        } finally {
            s.logout().join();
        }
    }

    @Test
    void discoverySessionsCanRequireChapOfTheirOwnMutualIncluded() {
        target.server().requireDiscoveryChap(new ChapRequirement(ALICE, TARGET));
        assertEquals(target.iqn(), discover(ALICE, TARGET).get(0).name());
        for (ChapCredentials wrong :
                new ChapCredentials[] {new ChapCredentials("alice", "not-alices-secret"), null}) {
            CompletionException e =
                    assertThrows(CompletionException.class, () -> discover(wrong, null));
            LoginRefusedException refused = (LoginRefusedException) e.getCause();
            assertEquals(0x0201, refused.statusClass() << 8 | refused.statusDetail());
        }
        assertTrue(
                login(null, null).isOpen(),
                "normal sessions of a target without CHAP are not affected");
        assertThrows(
                IllegalArgumentException.class,
                () -> new ChapRequirement(ALICE, new ChapCredentials("the-target", ALICE.secret())),
                "RFC 7143 §12.1.3: the two secrets differ");
        target.server().requireDiscoveryChap(ChapRequirement.NONE);
        assertEquals(target.iqn(), discover(null, null).get(0).name(), "and it can be turned off");
    }
}
