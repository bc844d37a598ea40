package org.iscsilab.host.race;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import org.iscsilab.host.module.UnloadRefusedException;
import org.iscsilab.host.module.Violations;
import org.iscsilab.scsi.Cdbs;

/**
 * Explores every ordering of racing mid-layer threads at the yield points (depth-first over the
 * scheduler's picks, each ordering run once on fresh objects) and checks the invariants after each.
 * Four races of docs/linux-midlayer.md: a target block against a device removal (scenario C), an
 * unblock against a removal, an LLD module going away against a target unblock, and a late unblock
 * against the module's exit with I/O parked (James's objection to unblocking without a module
 * reference).
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

    /**
     * A host for one ordering, its meters in a registry of its own: thousands of short-lived hosts
     * of one number must not meet in the process's global registry.
     */
    private static ScsiHost host(InstantDriver lld, Policy policy, Violations violations) {
        return new ScsiHost(0, lld, policy, violations, new SimpleMeterRegistry());
    }

    private static Request read() {
        return new Request(Cdbs.read10(0, 1), null, 512, false);
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
                    ScsiHost host = host(new InstantDriver(violations), policy, violations);
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
                    ScsiHost host = host(new InstantDriver(violations), policy, violations);
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

    /** A blocked device of an instant LLD, for the races between its module and an unblock. */
    private record BlockedDevice(Violations violations, InstantDriver lld, ScsiDevice device) {
        static BlockedDevice of(Policy policy) {
            Violations violations = new Violations();
            InstantDriver lld = new InstantDriver(violations);
            ScsiDevice device = host(lld, policy, violations).addDevice(0, 0, 0);
            BlockControl.blockDevice(device);
            return new BlockedDevice(violations, lld, device);
        }

        /** An rmmod racing a transport unblock to RUNNING, checked by {@code check}. */
        Case racing(DeterministicScheduler.Task rmmod, Supplier<List<String>> check) {
            return new Case() {
                public ScsiHost host() {
                    return device.host();
                }

                public List<DeterministicScheduler.Task> tasks() {
                    return List.of(
                            rmmod,
                            new DeterministicScheduler.Task(
                                    "scsi_target_unblock",
                                    () ->
                                            BlockControl.unblockTarget(
                                                    device.target(), DeviceState.RUNNING)));
                }

                public List<String> check(DeterministicScheduler.Run run) {
                    return check.get();
                }
            };
        }
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
                    BlockedDevice b = BlockedDevice.of(policy);
                    return b.racing(
                            new DeterministicScheduler.Task(
                                    "rmmod", () -> b.lld().module().unload(true)),
                            () -> {
                                List<String> broken = new ArrayList<>(b.violations().all());
                                // the skip hangs a later removal only where removal keeps a
                                // blocked device's queue stopped (4.11 and the proposals on it);
                                // from v4.13 removal goes BLOCK -> DEL and restarts the queue
                                if (!policy.removalToDel()
                                        && b.lld().module().state() == ModuleState.UNLOADED
                                        && b.device().state() == DeviceState.BLOCK
                                        && b.device().queueStopped()) {
                                    broken.add(
                                            "the unblock skipped the device of a GOING module: it"
                                                    + " stays blocked with a stopped queue, and its"
                                                    + " removal will hang (scenario A)");
                                }
                                return broken;
                            });
                });
    }

    /**
     * James Bottomley's objection to Bart's unblock (2017 thread): without scsi_device_get the
     * unblock takes no module reference, so when it comes late (a transport that did not remove its
     * resources before the code went) it restarts the queue and dispatches parked I/O into an LLD
     * whose exit routine has returned. The use-after-exit detector (invariant 3) catches the call;
     * a kernel taking the reference refuses the device once the module is GOING, or, holding it
     * first, makes the (plain) rmmod fail with EWOULDBLOCK.
     */
    public static Result lateUnblockVersusModuleExit(Policy policy, boolean stateMutex)
            throws InterruptedException {
        return explore(
                "late-unblock-module-exit-race",
                policy,
                stateMutex,
                () -> {
                    BlockedDevice b = BlockedDevice.of(policy);
                    b.device().submit(read()); // parked on the stopped queue
                    return b.racing(
                            new DeterministicScheduler.Task(
                                    "rmmod",
                                    () -> {
                                        try {
                                            b.lld().module().unload(false);
                                        } catch (UnloadRefusedException busy) {
                                            // the unblock's device reference pins it
                                        }
                                    }),
                            () -> new ArrayList<>(b.violations().all()));
                });
    }
}
