package org.iscsilab.host.race;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.iscsilab.host.mid.BlockControl;
import org.iscsilab.host.mid.DeviceState;
import org.iscsilab.host.mid.Policy;
import org.iscsilab.host.mid.Removal;
import org.iscsilab.host.mid.Request;
import org.iscsilab.host.mid.ScsiDevice;
import org.iscsilab.host.mid.ScsiHost;
import org.iscsilab.host.module.ModuleState;
import org.iscsilab.host.module.Violations;

/**
 * Explores every ordering of racing mid-layer threads at the yield points (depth-first over the
 * scheduler's picks, each ordering run once on fresh objects) and checks the invariants after each.
 * Three races of docs/linux-midlayer.md: a target block against a device removal (scenario C), an
 * unblock against a removal, and an LLD module going away against a target unblock.
 */
public final class InterleavingExplorer {
    /**
     * How one policy fared: orderings run, orderings that broke an invariant, and one bad ordering.
     */
    public record Result(
            String race,
            String policy,
            boolean stateMutex,
            int orderings,
            int violating,
            List<String> example,
            List<String> exampleViolations) {}

    /** One freshly built race: its threads and the invariants to check once they are done. */
    private interface Case {
        ScsiHost host();

        List<DeterministicScheduler.Task> tasks();

        List<String> check(DeterministicScheduler.Run run);
    }

    private InterleavingExplorer() {}

    private static Result explore(
            String race, Policy policy, boolean stateMutex, Supplier<Case> build)
            throws InterruptedException {
        Deque<List<Integer>> todo = new ArrayDeque<>();
        todo.push(List.of());
        int orderings = 0;
        int violating = 0;
        List<String> example = List.of();
        List<String> exampleViolations = List.of();
        while (!todo.isEmpty()) {
            List<Integer> prefix = todo.pop();
            Case c = build.get();
            c.host().setStateMutex(stateMutex);
            DeterministicScheduler scheduler = new DeterministicScheduler();
            c.host().setYieldPoint(scheduler);
            DeterministicScheduler.Run run = scheduler.run(c.tasks(), prefix);
            orderings++;
            List<String> broken = c.check(run);
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
        return new Result(
                race, policy.label(), stateMutex, orderings, violating, example, exampleViolations);
    }

    private static Request read() {
        return new Request(new byte[] {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0}, null, 512, false);
    }

    /**
     * Scenario C: a target block (RUNNING -> BLOCK, stop the queue) against a removal, with an I/O.
     */
    public static Result blockVersusRemoval(Policy policy, boolean stateMutex)
            throws InterruptedException {
        return explore(
                "C-block-remove-race",
                policy,
                stateMutex,
                () -> {
                    Violations violations = new Violations();
                    ScsiHost host =
                            new ScsiHost(0, new InstantDriver(violations), policy, violations);
                    ScsiDevice device = host.addDevice(0, 0, 0);
                    return new Case() {
                        public ScsiHost host() {
                            return host;
                        }

                        public List<DeterministicScheduler.Task> tasks() {
                            return List.of(
                                    new DeterministicScheduler.Task(
                                            "scsi_target_block",
                                            () -> BlockControl.blockDevice(device)),
                                    new DeterministicScheduler.Task(
                                            "__scsi_remove_device",
                                            () -> Removal.removeDevice(device, null)),
                                    new DeterministicScheduler.Task(
                                            "I/O", () -> device.submit(read())));
                        }

                        public List<String> check(DeterministicScheduler.Run run) {
                            List<String> broken = new ArrayList<>(violations.all());
                            if (run.hung()) {
                                broken.add(
                                        "removal never finished: I/O parked on a stopped queue of a "
                                                + device.sysfsState()
                                                + " device (invariant 1)");
                            }
                            // invariant 6 (a stopped queue only while blocked) is what v4.13's
                            // BLOCK->DEL with a queue restart promises; 4.11 never did, and there
                            // a stopped queue shows as the hang of invariant 1
                            if (policy.removalToDel()
                                    && device.state() == DeviceState.DEL
                                    && device.queueStopped()) {
                                broken.add(
                                        "the device is deleted with its queue stopped (invariant 6)");
                            }
                            return broken;
                        }
                    };
                });
    }

    /**
     * A transport unblock (to RUNNING) of a blocked device against its removal: the unblock reads
     * the state and writes it later; a removal in between must not be undone.
     */
    public static Result unblockVersusRemoval(Policy policy, boolean stateMutex)
            throws InterruptedException {
        return explore(
                "unblock-remove-race",
                policy,
                stateMutex,
                () -> {
                    Violations violations = new Violations();
                    ScsiHost host =
                            new ScsiHost(0, new InstantDriver(violations), policy, violations);
                    ScsiDevice device = host.addDevice(0, 0, 0);
                    BlockControl.blockDevice(device);
                    return new Case() {
                        public ScsiHost host() {
                            return host;
                        }

                        public List<DeterministicScheduler.Task> tasks() {
                            return List.of(
                                    new DeterministicScheduler.Task(
                                            "scsi_target_unblock",
                                            () ->
                                                    BlockControl.unblockDevice(
                                                            device, DeviceState.RUNNING)),
                                    new DeterministicScheduler.Task(
                                            "__scsi_remove_device",
                                            () -> Removal.removeDevice(device, null)));
                        }

                        public List<String> check(DeterministicScheduler.Run run) {
                            List<String> broken = new ArrayList<>(violations.all());
                            if (run.hung()) {
                                broken.add("a thread never finished (invariant 1)");
                            }
                            boolean removalStarted =
                                    device.timeline().stream()
                                            .anyMatch(
                                                    t ->
                                                            t.to() == DeviceState.CANCEL
                                                                    || t.to() == DeviceState.DEL
                                                                    || t.to()
                                                                            == DeviceState
                                                                                    .CANCEL_BLOCK);
                            if (removalStarted && device.state() != DeviceState.DEL) {
                                broken.add(
                                        "removal ended with the device "
                                                + device.sysfsState()
                                                + ": the unblock's late write undid it (invariant 5)");
                            }
                            return broken;
                        }
                    };
                });
    }

    /**
     * The LLD module going away (rmmod: GOING) against a transport unblock to RUNNING: a device the
     * unblock skips stays blocked with its queue stopped.
     */
    public static Result moduleGoingVersusUnblock(Policy policy, boolean stateMutex)
            throws InterruptedException {
        return explore(
                "module-going-unblock-race",
                policy,
                stateMutex,
                () -> {
                    Violations violations = new Violations();
                    InstantDriver lld = new InstantDriver(violations);
                    ScsiHost host = new ScsiHost(0, lld, policy, violations);
                    ScsiDevice device = host.addDevice(0, 0, 0);
                    BlockControl.blockDevice(device);
                    return new Case() {
                        public ScsiHost host() {
                            return host;
                        }

                        public List<DeterministicScheduler.Task> tasks() {
                            return List.of(
                                    new DeterministicScheduler.Task(
                                            "rmmod", () -> lld.module().unload(true)),
                                    new DeterministicScheduler.Task(
                                            "scsi_target_unblock",
                                            () ->
                                                    BlockControl.unblockTarget(
                                                            device.target(), DeviceState.RUNNING)));
                        }

                        public List<String> check(DeterministicScheduler.Run run) {
                            List<String> broken = new ArrayList<>(violations.all());
                            // the skip hangs a later removal only where removal keeps a blocked
                            // device's queue stopped (4.11 and the proposals on it); from v4.13
                            // removal goes BLOCK -> DEL and restarts the queue itself
                            if (!policy.removalToDel()
                                    && lld.module().state() == ModuleState.UNLOADED
                                    && device.state() == DeviceState.BLOCK
                                    && device.queueStopped()) {
                                broken.add(
                                        "the unblock skipped the device of a GOING module: it stays blocked with a "
                                                + "stopped queue, and its removal will hang (scenario A)");
                            }
                            return broken;
                        }
                    };
                });
    }
}
