package org.iscsilab.host.race;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.iscsilab.host.mid.BlockControl;
import org.iscsilab.host.mid.DeviceState;
import org.iscsilab.host.mid.Policy;
import org.iscsilab.host.mid.Removal;
import org.iscsilab.host.mid.Request;
import org.iscsilab.host.mid.ScsiDevice;
import org.iscsilab.host.mid.ScsiHost;
import org.iscsilab.host.module.Violations;

/**
 * Explores every ordering of racing mid-layer threads at the yield points (depth-first over the
 * scheduler's picks, each ordering run once on fresh objects) and checks the invariants after
 * each. The race of scenario C: a target block (RUNNING -> BLOCK, then stop the queue) against a
 * device removal (BLOCK -> DEL, then start the queue), with an I/O submitted meanwhile.
 */
public final class InterleavingExplorer {
    /** How one policy fared: orderings run, orderings that broke an invariant, and one bad ordering. */
    public record Result(String policy, boolean stateMutex, int orderings, int violating, List<String> example,
                         List<String> exampleViolations) {
    }

    private InterleavingExplorer() {
    }

    /** Scenario C under a policy, with or without the state mutex. */
    public static Result blockVersusRemoval(Policy policy, boolean stateMutex) throws InterruptedException {
        Deque<List<Integer>> todo = new ArrayDeque<>();
        todo.push(List.of());
        int orderings = 0;
        int violating = 0;
        List<String> example = List.of();
        List<String> exampleViolations = List.of();
        while (!todo.isEmpty()) {
            List<Integer> prefix = todo.pop();
            Violations violations = new Violations();
            ScsiHost host = new ScsiHost(0, new InstantDriver(violations), policy, violations);
            host.setStateMutex(stateMutex);
            ScsiDevice device = host.addDevice(0, 0, 0);
            DeterministicScheduler scheduler = new DeterministicScheduler();
            host.setYieldPoint(scheduler);
            List<DeterministicScheduler.Task> tasks = List.of(
                    new DeterministicScheduler.Task("scsi_target_block", () -> BlockControl.blockDevice(device)),
                    new DeterministicScheduler.Task("__scsi_remove_device", () -> Removal.removeDevice(device, null)),
                    new DeterministicScheduler.Task("I/O", () -> device.submit(
                            new Request(new byte[] {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0}, null, 512, false))));
            DeterministicScheduler.Run run = scheduler.run(tasks, prefix);
            orderings++;
            List<String> broken = new ArrayList<>(violations.all());
            if (run.hung()) {
                broken.add("removal never finished: I/O parked on a stopped queue of a " + device.sysfsState()
                        + " device (invariant 1)");
            }
            if (device.state() == DeviceState.DEL && device.queueStopped()) {
                broken.add("the device is deleted with its queue stopped (invariant 6)");
            }
            if (!broken.isEmpty()) {
                violating++;
                if (example.isEmpty()) {
                    example = run.steps();
                    exampleViolations = broken;
                }
            }
            for (int i = prefix.size(); i < run.picks().size(); i++) {
                for (int alt = run.picks().get(i) + 1; alt < run.ready().get(i); alt++) {
                    List<Integer> next = new ArrayList<>(run.picks().subList(0, i));
                    next.add(alt);
                    todo.push(next);
                }
            }
        }
        return new Result(policy.label(), stateMutex, orderings, violating, example, exampleViolations);
    }
}
