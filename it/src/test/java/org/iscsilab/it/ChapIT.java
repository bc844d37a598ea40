package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.iscsi.login.ChapRequirement;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * libiscsi and QEMU log in with CHAP, one-way and mutual, and libiscsi's conformance suite runs
 * over mutual CHAP; discovery sessions can require CHAP of their own; a wrong secret or no
 * credentials is refused with authentication failure (0x0201), and a target that answers mutual
 * CHAP with the wrong secret is refused by the initiator. libiscsi offers CHAP_A=5 (MD5) only; the
 * other algorithms are covered with the Java initiator and the Linux guest.
 */
class ChapIT {
    private static EmbeddedTarget target;

    @BeforeAll
    static void start() throws Exception {
        ExternalProgram.require("iscsi-inq", "libiscsi-bin");
        target = EmbeddedTarget.start("ram:16M");
        target.requireChap(
                new ChapCredentials("alice", "twelve-bytes-secret"),
                new ChapCredentials("the-target", "target-secret-99"));
        target.server()
                .requireDiscoveryChap(
                        new ChapRequirement(
                                new ChapCredentials("finder", "finder-secret-0"), null));
    }

    @AfterAll
    static void stop() {
        if (target != null) {
            target.close();
        }
    }

    private static String url(String credentials) {
        return "iscsi://"
                + credentials
                + "127.0.0.1:"
                + target.address().getPort()
                + "/"
                + target.iqn()
                + "/0";
    }

    @Test
    void theRightSecretLogsIn() throws Exception {
        String out =
                ExternalProgram.ok(
                        Duration.ofSeconds(30), "iscsi-inq", url("alice%twelve-bytes-secret@"));
        assertTrue(out.contains("Vendor:ISCSILAB"), out);
    }

    @Test
    void aWrongSecretOrNoCredentialsIsAnAuthenticationFailure() throws Exception {
        long before = target.events().recorded();
        for (String creds :
                new String[] {"alice%not-the-right-one@", "mallory%twelve-bytes-secret@", ""}) {
            ExternalProgram.Result r =
                    ExternalProgram.run(Duration.ofSeconds(30), "iscsi-inq", url(creds));
            assertNotEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("Authentication failure(513)"), r.output());
        }
        assertEquals(
                3,
                target.events()
                        .count(
                                e ->
                                        e.sequence() > before
                                                && e.type() == EventLog.Type.LOGIN
                                                && "FAILED".equals(e.status())
                                                && e.detail().contains("0x0201")));
    }

    private static final String MUTUAL = "?target_user=the-target&target_password=target-secret-99";

    @Test
    void mutualChapLogsInAndATargetAnsweringWithTheWrongSecretIsRefusedByTheInitiator()
            throws Exception {
        String ok =
                ExternalProgram.ok(
                        Duration.ofSeconds(30),
                        "iscsi-inq",
                        url("alice%twelve-bytes-secret@") + MUTUAL);
        assertTrue(ok.contains("Vendor:ISCSILAB"), ok);
        ExternalProgram.Result r =
                ExternalProgram.run(
                        Duration.ofSeconds(30),
                        "iscsi-inq",
                        url("alice%twelve-bytes-secret@")
                                + "?target_user=the-target&target_password=not-the-target-1");
        assertNotEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("Invalid CHAP_R response from the target"), r.output());
    }

    @Test
    void qemuLogsInWithChapAndIsRefusedWithAWrongSecret() throws Exception {
        ExternalProgram.require("qemu-img", "qemu-utils");
        String info =
                ExternalProgram.ok(
                        Duration.ofSeconds(60),
                        "qemu-img",
                        "info",
                        url("alice%twelve-bytes-secret@"));
        assertTrue(info.contains("virtual size: 16 MiB"), info);
        ExternalProgram.Result r =
                ExternalProgram.run(
                        Duration.ofSeconds(60),
                        "qemu-img",
                        "info",
                        url("alice%not-the-right-one@"));
        assertNotEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("Authentication failure(513)"), r.output());
    }

    @Test
    void libiscsisIscsiConformanceSuitePassesOverMutualChap() throws Exception {
        ExternalProgram.require("iscsi-test-cu", "libiscsi-bin");
        String out =
                ExternalProgram.ok(
                        Duration.ofMinutes(3),
                        "iscsi-test-cu",
                        "-t",
                        "iSCSI",
                        url("alice%twelve-bytes-secret@") + MUTUAL);
        Matcher m = Pattern.compile("tests\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)").matcher(out);
        assertTrue(m.find(), out);
        assertEquals("0", m.group(4), "no test failed:\n" + out);
        assertEquals(m.group(2), m.group(3), "every test that ran passed:\n" + out);
        assertTrue(Integer.parseInt(m.group(3)) >= 15, out);
    }

    @Test
    void discoveryRequiresItsOwnChap() throws Exception {
        String portal = "127.0.0.1:" + target.address().getPort();
        String listed =
                ExternalProgram.ok(
                        Duration.ofSeconds(30),
                        "iscsi-ls",
                        "iscsi://finder%finder-secret-0@" + portal);
        assertTrue(listed.contains(target.iqn()), listed);
        for (String creds : new String[] {"", "alice%twelve-bytes-secret@"}) {
            ExternalProgram.Result r =
                    ExternalProgram.run(
                            Duration.ofSeconds(30), "iscsi-ls", "iscsi://" + creds + portal);
            assertNotEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("Authentication failure"), r.output());
        }
    }
}
