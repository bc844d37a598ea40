package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletionException;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.LoginRefusedException;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.iscsi.login.SrpCredentials;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SRP login (RFC 7143 §12.1.2) between the Java initiator and the target, over a real connection.
 */
class SrpLoginTest {
    private TestTarget target;
    private IscsiInitiator initiator;

    @BeforeEach
    void start() throws Exception {
        target = TestTarget.start("ram:16M");
        target.server()
                .target(target.iqn())
                .requireSrp(SrpCredentials.derive("bob", "bobs-password-1"));
        initiator = new IscsiInitiator(1);
    }

    @AfterEach
    void stop() {
        initiator.close();
        target.close();
    }

    private InitiatorSession login(InitiatorConfig config) {
        return initiator.login(target.address(), config).join();
    }

    private static int refusal(Runnable login) {
        CompletionException e = assertThrows(CompletionException.class, login::run);
        LoginRefusedException r = (LoginRefusedException) e.getCause();
        return r.statusClass() << 8 | r.statusDetail();
    }

    @Test
    void srpWithTargetAuthenticationLogsInAndCommandsWork() {
        InitiatorSession s =
                login(InitiatorConfig.normal(target.iqn()).withSrp("bob", "bobs-password-1", true));
        s.execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0).join();
        assertTrue(s.execute(LunAddress.encode(0), Cdbs.read10(0, 1), null, 512).join().good());
        assertTrue(
                login(InitiatorConfig.normal(target.iqn()).withSrp("bob", "bobs-password-1", false))
                        .isOpen(),
                "and without asking the target to prove itself");
    }

    @Test
    void aWrongPasswordIsAnAuthenticationFailureAndAnUnknownUserAnAuthorizationFailure() {
        long before = target.events().recorded();
        assertEquals(
                0x0201,
                refusal(
                        () ->
                                login(
                                        InitiatorConfig.normal(target.iqn())
                                                .withSrp("bob", "not-bobs-password", true))));
        assertEquals(
                0x0202,
                refusal(
                        () ->
                                login(
                                        InitiatorConfig.normal(target.iqn())
                                                .withSrp("mallory", "bobs-password-1", true))));
        assertEquals(
                0x0201,
                refusal(() -> login(InitiatorConfig.normal(target.iqn()))),
                "no authentication at all");
        assertEquals(
                3,
                target.events()
                        .count(
                                e ->
                                        e.sequence() > before
                                                && e.type() == EventLog.Type.LOGIN
                                                && "FAILED".equals(e.status())),
                "each refusal is logged once");
    }

    @Test
    void aTargetRequiringSrpAndChapAcceptsEitherAndPrefersSrp() {
        target.server()
                .target(target.iqn())
                .requireChap(new ChapCredentials("carol", "carols-secret-1"), null);
        assertTrue(
                login(
                                InitiatorConfig.normal(target.iqn())
                                        .withChap(
                                                new ChapCredentials("carol", "carols-secret-1"),
                                                null))
                        .isOpen(),
                "CHAP alone");
        assertTrue(
                login(InitiatorConfig.normal(target.iqn()).withSrp("bob", "bobs-password-1", true))
                        .isOpen(),
                "SRP alone");
        assertEquals(
                0x0201,
                refusal(
                        () ->
                                login(
                                        InitiatorConfig.normal(target.iqn())
                                                .withChap(
                                                        new ChapCredentials(
                                                                "carol", "carols-secret-1"),
                                                        null)
                                                .withSrp("bob", "wrong-password-9", true))),
                "both offered: the target takes SRP, which fails");
    }
}
