package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import org.iscsilab.guest.GuestMultipathRunner;
import org.iscsilab.guest.LinuxGuest;
import org.iscsilab.host.scenario.MultipathCase;
import org.iscsilab.host.scenario.MultipathReport;
import org.iscsilab.host.scenario.ScenarioReport;
import org.iscsilab.host.scenario.ScenarioTarget;
import org.iscsilab.host.scenario.StampedBlocks;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.junit.jupiter.api.Test;

/**
 * Real dm-multipath (Linux 6.1 with the ALUA device handler, multipath-tools 0.9.4) over two portal
 * groups of one target, the four failover cases in one boot with a stamped writer running through
 * the map: I/O moves, waits or resumes as the case says, no I/O error reaches the writer, and every
 * block holds what was last acknowledged for it, read back in the guest and again on the target.
 */
class LinuxGuestMultipathIT {
    @Test
    void theFourFailoverCasesKeepTheWriterGoingAndEveryAcknowledgedBlockSurvives()
            throws Exception {
        GuestMultipathRunner runner =
                new GuestMultipathRunner(GuestSupport.image(GuestMultipathRunner.SERIES))
                        .echo(System.out::println);
        try (ScenarioTarget target = ScenarioTarget.twoPortalGroups(LinuxGuest.HOST_FROM_GUEST)) {
            MultipathReport.Run run = runner.run(List.of(MultipathCase.values()), target);
            System.out.println("multipath -ll at the start:");
            run.topologyAtStart().forEach(l -> System.out.println("  " + l));
            for (MultipathReport r : run.cases()) {
                System.out.println(
                        r.caseId()
                                + ": "
                                + r.outcome()
                                + ", writes while broken "
                                + r.writesWhileBroken()
                                + ", longest pause "
                                + r.longestPauseMillis()
                                + " ms, I/O errors "
                                + r.ioErrors()
                                + (r.findings().isEmpty() ? "" : ", " + r.findings()));
                r.topologyWhileBroken().forEach(l -> System.out.println("  broken:   " + l));
                r.topologyRestored().forEach(l -> System.out.println("  restored: " + l));
            }
            assertTrue(
                    run.topologyAtStart().stream().anyMatch(l -> l.contains("hwhandler='1 alua'")),
                    "the map uses the ALUA device handler: " + run.topologyAtStart());
            assertTrue(
                    run.topologyAtStart().stream().anyMatch(l -> l.contains("prio=50"))
                            && run.topologyAtStart().stream().anyMatch(l -> l.contains("prio=10")),
                    "two path groups, active/optimized (50) and non-optimized (10): "
                            + run.topologyAtStart());
            for (MultipathReport r : run.cases()) {
                assertEquals(
                        ScenarioReport.Outcome.COMPLETED, r.outcome(), r.caseId() + r.findings());
                assertEquals(0, r.ioErrors(), r.caseId());
                if (MultipathCase.parse(r.caseId()).noPathLeft()) {
                    assertEquals(0, r.writesWhileBroken(), r.caseId() + ": writes wait");
                    assertTrue(
                            r.topologyWhileBroken().stream()
                                    .anyMatch(l -> l.contains("queue_if_no_path")),
                            r.caseId() + ": " + r.topologyWhileBroken());
                } else {
                    assertTrue(r.writesWhileBroken() >= 30, r.caseId() + ": writes go on");
                }
                assertTrue(r.resumed(), r.caseId());
            }
            assertEquals(List.of(), run.mismatches());
            assertEquals(GuestMultipathRunner.BLOCKS, run.blocksVerified());
            assertNotNull(run.written());
            assertEquals(List.of(), run.written().mismatches(readOnTarget(target, run.written())));
        }
    }

    /** The writer's blocks as the target holds them, read by the Java initiator through group 2. */
    private static byte[] readOnTarget(ScenarioTarget target, StampedBlocks written)
            throws Exception {
        InetSocketAddress portal = target.portals().get(1);
        int sectors = written.blocks() * StampedBlocks.BLOCK_SIZE / 512;
        try (IscsiInitiator initiator = new IscsiInitiator()) {
            InitiatorSession s =
                    initiator
                            .login(
                                    portal,
                                    InitiatorConfig.normal(target.iqn())
                                            .withInitiatorName("iqn.2026-01.org.iscsilab:checker"))
                            .join();
            s.execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0).join();
            ScsiResult r =
                    s.execute(LunAddress.encode(0), Cdbs.read16(0, sectors), null, sectors * 512)
                            .join();
            assertTrue(r.good(), "read on the target: " + r);
            s.logout().join();
            return r.data();
        }
    }
}
