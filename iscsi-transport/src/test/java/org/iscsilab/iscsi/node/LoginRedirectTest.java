package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionException;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.LoginRefusedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Login redirection (RFC 7143 §11.13.5, Status-Class 1): a target answers "moved" with a
 * TargetAddress, and the Java initiator logs in there instead.
 */
class LoginRedirectTest {
    private TestTarget moved;
    private TestTarget there;
    private IscsiInitiator initiator;

    @BeforeEach
    void start() throws Exception {
        moved = TestTarget.start("ram:1M");
        there = TestTarget.start("ram:1M");
        initiator = new IscsiInitiator(1);
    }

    @AfterEach
    void stop() {
        initiator.close();
        moved.close();
        there.close();
    }

    private String to(TestTarget t) {
        return "127.0.0.1:" + t.address().getPort();
    }

    /** A login at the redirecting target that fails; its cause. */
    private Throwable failedLoginAtMoved() {
        return assertThrows(
                        CompletionException.class,
                        () ->
                                initiator
                                        .login(
                                                moved.address(),
                                                InitiatorConfig.normal(TestTarget.IQN))
                                        .join())
                .getCause();
    }

    @Test
    void aRedirectedLoginEndsInASessionAtTheNamedAddress() {
        moved.faults().add("redirect,to=" + to(there));
        InitiatorSession s =
                initiator.login(moved.address(), InitiatorConfig.normal(TestTarget.IQN)).join();
        assertTrue(s.tsih() > 0);
        assertEquals(0, moved.sessions().size(), "no session where it was redirected from");
        assertEquals(1, there.sessions().size());
        EventLog.Event e = moved.events().events(x -> x.type() == EventLog.Type.LOGIN).get(0);
        assertEquals("REDIRECTED", e.status());
        assertEquals("moved temporarily to " + to(there), e.detail());
    }

    @Test
    void theAnswerIsClassOneWithTheDetailAndAddressTheRuleGives() {
        moved.faults().add("redirect,to=127.0.0.1:1,tpgt=3,permanent");
        Throwable e = failedLoginAtMoved();
        // the redirection was followed to port 1, where nothing listens: the connect fails
        assertTrue(e.getMessage().contains("127.0.0.1:1"), e.getMessage());
        assertEquals(
                "moved permanently to 127.0.0.1:1,3",
                moved.events().events(x -> x.type() == EventLog.Type.LOGIN).get(0).detail());
    }

    @Test
    void aRedirectionLoopEndsAfterFourHopsWithTheRefusal() {
        moved.faults().add("redirect,to=" + to(moved));
        Throwable e = failedLoginAtMoved();
        LoginRefusedException r = assertInstanceOf(LoginRefusedException.class, e);
        assertEquals(0x01, r.statusClass());
        assertEquals(0x01, r.statusDetail());
        assertEquals(to(moved), r.targetAddress());
        assertEquals(5, moved.events().count(x -> "REDIRECTED".equals(x.status())));
    }

    @Test
    void discoverySessionsAreNotRedirected() {
        moved.faults().add("redirect,to=" + to(there));
        assertEquals(
                TestTarget.IQN,
                initiator
                        .discover(
                                new InetSocketAddress("127.0.0.1", moved.address().getPort()),
                                InitiatorConfig.DEFAULT_INITIATOR)
                        .get(0)
                        .name());
    }

    @Test
    void aRedirectRuleNeedsAnAddressWithAPort() {
        for (String bad :
                new String[] {
                    "redirect", "redirect,to=host", "redirect,to=h:0", "redirect,to=h:1,tpgt=0"
                }) {
            assertThrows(IllegalArgumentException.class, () -> moved.faults().add(bad), bad);
        }
    }
}
