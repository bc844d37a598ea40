package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.iscsi.target.EmbeddedTarget;
import org.iscsilab.target.fault.EventLog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** libiscsi logs in with CHAP; a wrong secret or no credentials is refused with authentication failure (0x0201). */
class ChapIT {
    private static EmbeddedTarget target;

    @BeforeAll
    static void start() throws Exception {
        ExternalProgram.require("iscsi-inq", "libiscsi-bin");
        target = EmbeddedTarget.start("ram:16M");
        target.requireChap(new ChapCredentials("alice", "twelve-bytes-secret"), null);
    }

    @AfterAll
    static void stop() {
        if (target != null) {
            target.close();
        }
    }

    private static String url(String credentials) {
        return "iscsi://" + credentials + "127.0.0.1:" + target.address().getPort() + "/" + target.iqn() + "/0";
    }

    @Test
    void theRightSecretLogsIn() throws Exception {
        String out = ExternalProgram.ok(Duration.ofSeconds(30), "iscsi-inq", url("alice%twelve-bytes-secret@"));
        assertTrue(out.contains("Vendor:ISCSILAB"), out);
    }

    @Test
    void aWrongSecretOrNoCredentialsIsAnAuthenticationFailure() throws Exception {
        long before = target.events().recorded();
        for (String creds : new String[] {"alice%not-the-right-one@", "mallory%twelve-bytes-secret@", ""}) {
            ExternalProgram.Result r = ExternalProgram.run(Duration.ofSeconds(30), "iscsi-inq", url(creds));
            assertNotEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("Authentication failure(513)"), r.output());
        }
        assertEquals(3, target.events().count(e -> e.sequence() > before && e.type() == EventLog.Type.LOGIN
                && "FAILED".equals(e.status()) && e.detail().contains("0x0201")));
    }
}
