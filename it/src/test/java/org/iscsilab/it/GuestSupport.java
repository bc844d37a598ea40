package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.iscsilab.guest.GuestImage;
import org.iscsilab.guest.GuestRun;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.server.EmbeddedTarget;

/** What the Linux-guest suites share: the image, and checks from the target's side. */
final class GuestSupport {
    private GuestSupport() {}

    /**
     * The guest image of a kernel series; the host programs it needs are required like any real
     * initiator.
     */
    static GuestImage image(String series) throws Exception {
        for (Map.Entry<String, String> p : GuestImage.hostPrograms().entrySet()) {
            ExternalProgram.require(p.getKey(), p.getValue());
        }
        return GuestImage.ensure(series);
    }

    /** Fails with the run's problems, its timeline and the end of its console. */
    static void assertSucceeded(GuestRun run) {
        assertTrue(
                run.succeeded(),
                () ->
                        "guest run failed: "
                                + run.problems()
                                + "\n"
                                + timeline(run)
                                + "\n--- console tail ---\n"
                                + run.consoleTail(40));
    }

    static String timeline(GuestRun run) {
        StringBuilder sb = new StringBuilder();
        run.timeline().forEach(r -> sb.append(r).append('\n'));
        return sb.toString();
    }

    /**
     * SHA-256 of {@code mib} MiB at MiB offset {@code offsetMib} of a LUN, read through a second
     * initiator (the Java one), so what the guest wrote is checked where it landed.
     */
    static String sha256OnTarget(
            EmbeddedTarget target, int lun, int blockSize, int offsetMib, int mib)
            throws Exception {
        IscsiInitiator initiator = new IscsiInitiator();
        try {
            InitiatorSession s =
                    initiator
                            .login(
                                    target.address(),
                                    InitiatorConfig.normal(target.iqn())
                                            .withInitiatorName("iqn.2026-01.org.iscsilab:checker"))
                            .join();
            s.execute(LunAddress.encode(lun), Cdbs.testUnitReady(), null, 0)
                    .join(); // the new nexus' unit attention
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            int blocksPerMib = (1 << 20) / blockSize;
            for (int m = 0; m < mib; m++) {
                ScsiResult r =
                        s.execute(
                                        LunAddress.encode(lun),
                                        Cdbs.read16(
                                                (long) (offsetMib + m) * blocksPerMib,
                                                blocksPerMib),
                                        null,
                                        1 << 20)
                                .join();
                assertTrue(r.good(), "read of the guest's region through the Java initiator: " + r);
                sha.update(r.data());
            }
            s.logout().join();
            return HexFormat.of().formatHex(sha.digest());
        } finally {
            initiator.close();
        }
    }
}
