package org.iscsilab.host.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.iscsilab.host.mid.Policy;
import org.iscsilab.host.scenario.Scenario;
import org.iscsilab.host.scenario.ScenarioReport;
import org.iscsilab.host.scenario.ScenarioRunner;
import org.junit.jupiter.api.Test;

/**
 * The causal trace of scenario B under v4.11, read back from its Chrome trace JSON as a trace
 * viewer would: the unblock that skipped the device and why, and the SYNCHRONIZE CACHE that was
 * queued on a stopped queue and never sent.
 */
class CausalTraceTest {
    @Test
    void theTraceOfBUnderV411ShowsTheSkippedUnblockAndTheSyncCacheThatNeverLeft() throws Exception {
        ScenarioReport r = new ScenarioRunner(Duration.ofSeconds(2)).run(Scenario.B, Policy.V4_11);
        TraceExport.Process process = new TraceExport.Process("B on v4.11", r.causalTrace());
        JsonNode json = new ObjectMapper().readTree(TraceExport.chrome(List.of(process)));
        List<JsonNode> steps = new ArrayList<>();
        for (JsonNode e : json.path("traceEvents")) {
            if (e.path("ph").asText().equals("i")) {
                steps.add(e);
            }
        }
        JsonNode sync = first(steps, "sd_sync_cache: SYNCHRONIZE CACHE queued");
        JsonNode skip = first(steps, "unblock skips");
        assertTrue(
                sequence(skip) > sequence(sync), "the sync is queued, then the unblock passes it");
        assertEquals("cancel", skip.path("args").path("state").asText());
        assertTrue(
                skip.path("args").path("reason").asText().contains("scsi_device_get refused"),
                skip.toString());
        assertEquals("stopped", skip.path("args").path("queue").asText());
        assertTrue(sync.path("args").path("queue").asText().startsWith("stopped"));
        for (JsonNode s : steps) {
            boolean syncSent =
                    s.path("name").asText().equals("queuecommand: sent")
                            && s.path("args").path("opcode").asText().equals("35h");
            assertTrue(!syncSent, "no SYNCHRONIZE CACHE reached the wire: " + s);
        }
        assertNotEquals(
                sync.path("tid").asInt(),
                skip.path("tid").asInt(),
                "the sysfs writer and the transport's unblock are lanes of their own");
        // the target's side, from its event log: the sync never arrived there
        assertTrue(
                sync.path("args").path("reached the target").asText().startsWith("no"),
                sync.toString());
        // the commands the host sent (the scan's) are matched to the target's records by ITT
        List<JsonNode> sent =
                steps.stream()
                        .filter(s -> s.path("name").asText().equals("queuecommand: sent"))
                        .toList();
        JsonNode answered =
                sent.stream()
                        .filter(s -> s.path("args").has("at the target"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no command matched: " + sent));
        JsonNode atTarget =
                steps.stream()
                        .filter(s -> s.path("name").asText().startsWith("target: command"))
                        .filter(
                                s ->
                                        s.path("args")
                                                .path("itt")
                                                .asText()
                                                .equals(answered.path("args").path("itt").asText()))
                        .findFirst()
                        .orElseThrow();
        assertEquals(
                atTarget.path("args").path("status").asText(),
                answered.path("args").path("at the target").asText());
        assertTrue(sequence(atTarget) > sequence(answered), "sent, then recorded at the target");
        assertTrue(
                lanes(json).contains(WireCorrelation.TARGET_LANE),
                "the target has a lane: " + lanes(json));
        String mermaid = TraceExport.mermaid(process);
        assertTrue(mermaid.startsWith("sequenceDiagram\n"));
        assertTrue(mermaid.contains("unblock skips"));
    }

    /** Every step records the LLD module's state and, for a device, its queue's. */
    @Test
    void theTraceOfAShowsTheModuleGoingWhenTheUnblockPassesTheDeviceBy() throws Exception {
        ScenarioReport r = new ScenarioRunner(Duration.ofSeconds(2)).run(Scenario.A, Policy.V4_11);
        TraceEvent skip =
                r.causalTrace().stream()
                        .filter(e -> e.name().equals("unblock skips"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(r.causalTrace().toString()));
        assertEquals("GOING", skip.args().get("module"), skip.toString());
        assertEquals("stopped", skip.args().get("queue"), skip.toString());
        TraceEvent firstStateChange =
                r.causalTrace().stream()
                        .filter(e -> e.name().equals("scsi_device_set_state"))
                        .findFirst()
                        .orElseThrow();
        assertEquals("LIVE", firstStateChange.args().get("module"));
        assertEquals("running", firstStateChange.args().get("queue"));
    }

    private static List<String> lanes(JsonNode json) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : json.path("traceEvents")) {
            if (e.path("name").asText().equals("thread_name")) {
                out.add(e.path("args").path("name").asText());
            }
        }
        return out;
    }

    private static long sequence(JsonNode step) {
        return step.path("args").path("sequence").asLong();
    }

    private static JsonNode first(List<JsonNode> steps, String name) {
        return steps.stream()
                .filter(s -> s.path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no step '" + name + "' in " + steps));
    }

    @Test
    void aLongRunKeepsTheLastStepsAndTheirSequenceNumbersShowTheGap() {
        CausalTrace trace = new CausalTrace(3);
        for (int i = 1; i <= 5; i++) {
            trace.record("step", "n", Integer.toString(i));
        }
        List<TraceEvent> kept = trace.events();
        assertEquals(List.of(3L, 4L, 5L), kept.stream().map(TraceEvent::sequence).toList());
        assertEquals("5", kept.get(2).args().get("n"));
    }
}
