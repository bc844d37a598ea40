package org.iscsilab.host.scenario;

import java.util.List;
import org.iscsilab.host.trace.TraceEvent;

/**
 * What one scenario under one policy did: how it ended, how long removal took, the device's sysfs
 * states in the order seen and what multipathd would have concluded from each, whether SYNCHRONIZE
 * CACHE reached the target during removal (from the target's event log), the invariants broken, the
 * timeline, for a hang the call chain that is stuck, and what reached the target after the disk was
 * attached (commands with their status, task management, logins, faults); which host ran it ("java"
 * or "linux-vm"), the kernel it is (a release) or models, where that behaviour comes from, and the
 * causal trace of the run (each thread's steps in order). {@code sysfsStates} is what user space
 * reads from the state file (ending "gone" once device_del removed it); {@code deviceStates} is the
 * kernel's own sequence of sdev_state values.
 */
public record ScenarioReport(
        String scenario,
        String policy,
        Outcome outcome,
        long removalMillis,
        List<String> sysfsStates,
        List<String> multipathStates,
        boolean syncCacheOnWire,
        List<String> violations,
        List<String> timeline,
        List<String> stuckCallChain,
        List<String> targetEvents,
        String host,
        String kernel,
        String provenance,
        List<TraceEvent> causalTrace,
        List<String> deviceStates) {

    /**
     * COMPLETED: every step finished; HUNG: the watchdog fired; FAILED: a step ended otherwise than
     * the scenario needs; BUG: the kernel hit BUG() (an oops: the task that hit it died).
     */
    public enum Outcome {
        COMPLETED,
        HUNG,
        FAILED,
        BUG
    }
}
