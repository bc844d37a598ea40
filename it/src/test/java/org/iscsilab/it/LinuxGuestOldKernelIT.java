package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import org.iscsilab.guest.GuestImage;
import org.iscsilab.guest.GuestScenario;
import org.iscsilab.guest.GuestScenarioRunner;
import org.iscsilab.guest.LinuxGuest;
import org.iscsilab.host.mid.Policy;
import org.iscsilab.host.scenario.ScenarioReport;
import org.iscsilab.host.scenario.ScenarioRunner;
import org.iscsilab.host.scenario.ScenarioTarget;
import org.iscsilab.host.trace.TraceEvent;
import org.iscsilab.host.trace.TraceExport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The 2017 hang on a kernel of its generation: Linux 4.9.337 (the 4.11 mid-layer) beside the Java
 * host's v4.11 model. The kernel image comes from ISCSILAB_KERNEL_DIR; its device states from
 * kprobe events, since its sysfs state file is gone once a removal starts.
 */
class LinuxGuestOldKernelIT {
    private static GuestScenarioRunner guest;

    @BeforeAll
    static void image() throws Exception {
        GuestImage image = GuestSupport.image("4.9");
        guest = new GuestScenarioRunner(image).hangAfter(Duration.ofSeconds(20));
    }

    private static ScenarioReport onLinux(GuestScenario s) throws Exception {
        try (ScenarioTarget target = ScenarioTarget.embedded(LinuxGuest.HOST_FROM_GUEST)) {
            ScenarioReport r = guest.run(s, target);
            System.out.println(
                    "scenario " + r.scenario() + " on " + r.policy() + ": " + r.outcome());
            r.timeline().forEach(System.out::println);
            return r;
        }
    }

    private static ScenarioReport onJava(GuestScenario s) throws Exception {
        return new ScenarioRunner(Duration.ofSeconds(3)).run(s.javaHostScenario(), Policy.V4_11);
    }

    @Test
    void removingABlockedDiskHangsOn49ForGoodAsTheV411ModelDoes() throws Exception {
        ScenarioReport kernel = onLinux(GuestScenario.B);
        ScenarioReport java = onJava(GuestScenario.B);
        String story = String.join("\n", kernel.timeline()) + "\n" + kernel.violations();

        assertEquals(ScenarioReport.Outcome.HUNG, kernel.outcome(), story);
        assertEquals(ScenarioReport.Outcome.HUNG, java.outcome());
        assertEquals(List.of("running", "blocked", "cancel"), kernel.deviceStates(), story);
        assertEquals(java.deviceStates(), kernel.deviceStates(), "the same state sequence");
        // user space on both: the state file gone once device_del starts, "cancel" at most seen
        // in passing
        assertEquals("gone", java.sysfsStates().get(java.sysfsStates().size() - 1));
        assertEquals("gone", kernel.sysfsStates().get(kernel.sysfsStates().size() - 1), story);
        assertEquals("linux-vm", kernel.host());
        assertEquals("4.9.337", kernel.kernel());
        assertEquals("4.11", java.kernel());

        // stuck where the 2017 thread says: sd's SYNCHRONIZE CACHE at shutdown, on a stopped queue
        assertTrue(kernel.stuckCallChain().contains("sd_sync_cache"), story);
        assertTrue(kernel.stuckCallChain().contains("blk_execute_rq"), story);
        assertTrue(kernel.stuckCallChain().contains("__scsi_remove_device"), story);
        assertFalse(kernel.syncCacheOnWire(), "the SYNCHRONIZE CACHE never reached the wire");
        // the unblock after the relogin skipped the CANCEL device: scsi_device_get said -ENXIO
        assertTrue(
                kernel.violations().stream()
                        .anyMatch(v -> v.contains("scsi_device_get refused") && v.contains("-6")),
                story);
        // the causal trace, kernel side: sd's SYNCHRONIZE CACHE, then the unblock passing the
        // device by
        long sync =
                kernel.causalTrace().stream()
                        .filter(e -> e.name().startsWith("sd_sync_cache"))
                        .mapToLong(TraceEvent::sequence)
                        .findFirst()
                        .orElse(-1);
        assertTrue(
                kernel.causalTrace().stream()
                        .anyMatch(
                                e ->
                                        e.name().equals("unblock skips")
                                                && e.sequence() > sync
                                                && e.args().get("reason").contains("cancel")),
                () -> kernel.causalTrace().toString());
        assertTrue(sync > 0, () -> kernel.causalTrace().toString());
        // both hosts' traces as one Chrome/Perfetto file, read back as a viewer would: in each
        // process the unblock that skipped the device with its reason, and sd's SYNCHRONIZE CACHE
        // that the target's log never saw
        JsonNode json =
                new ObjectMapper()
                        .readTree(
                                TraceExport.chrome(
                                        List.of(
                                                new TraceExport.Process(
                                                        "linux 4.9.337", kernel.causalTrace()),
                                                new TraceExport.Process(
                                                        "Java host, v4.11", java.causalTrace()))));
        for (int pid = 1; pid <= 2; pid++) {
            boolean skipped = false;
            boolean syncNeverArrived = false;
            for (JsonNode e : json.path("traceEvents")) {
                if (e.path("pid").asInt() != pid || !e.path("ph").asText().equals("i")) {
                    continue;
                }
                String name = e.path("name").asText();
                skipped |=
                        name.equals("unblock skips")
                                && e.path("args").path("reason").asText().contains("cancel");
                syncNeverArrived |=
                        name.startsWith("sd_sync_cache")
                                && e.path("args")
                                        .path("reached the target")
                                        .asText()
                                        .startsWith("no");
            }
            assertTrue(skipped && syncNeverArrived, "process " + pid + " of " + json);
        }
        // and a logout after it waits behind the stuck removal for the host's scan_mutex
        assertTrue(
                kernel.violations().stream()
                        .anyMatch(
                                v ->
                                        v.contains("iscsid stuck in")
                                                && v.contains("scsi_remove_host")),
                story);
    }

    @Test
    void loggingOutWhileRecoveringCompletesOn49AsInTheModel() throws Exception {
        ScenarioReport kernel = onLinux(GuestScenario.D);
        ScenarioReport java = onJava(GuestScenario.D);
        assertEquals(
                ScenarioReport.Outcome.COMPLETED, kernel.outcome(), kernel.violations()::toString);
        assertEquals(ScenarioReport.Outcome.COMPLETED, java.outcome());
        assertTrue(kernel.removalMillis() < 2_000, "logout took " + kernel.removalMillis() + " ms");
    }
}
