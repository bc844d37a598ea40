package org.iscsilab.host.scenario;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.core.fault.FaultScope;
import org.iscsilab.host.iscsi.IscsiHostSession;
import org.iscsilab.host.iscsi.IscsiLld;
import org.iscsilab.host.mid.BlockControl;
import org.iscsilab.host.mid.DeviceState;
import org.iscsilab.host.mid.HostResult;
import org.iscsilab.host.mid.MultipathView;
import org.iscsilab.host.mid.Policy;
import org.iscsilab.host.mid.Removal;
import org.iscsilab.host.mid.ScsiDevice;
import org.iscsilab.host.mid.ScsiDisk;
import org.iscsilab.host.module.KernelBug;
import org.iscsilab.host.module.ModuleState;
import org.iscsilab.host.module.UnloadRefusedException;
import org.iscsilab.host.module.Violations;
import org.iscsilab.host.trace.CausalTrace;
import org.iscsilab.host.trace.TraceEvent;
import org.iscsilab.host.trace.WireCorrelation;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.NopOutKeepalive;
import org.iscsilab.iscsi.initiator.RecoveringSession;
import org.iscsilab.scsi.ScsiOpcode;

/**
 * Runs a {@link Scenario} under a {@link Policy} against an embedded iscsilab target over a real
 * iSCSI connection, using the target's fault rules to fail the transport, and reports what the
 * device went through. Every step that could wait forever runs under a {@link Watchdog}.
 */
public final class ScenarioRunner {
    private static final String HOST = "iqn.2026-01.org.iscsilab:scenario-host";
    private static final Duration RETRY = Duration.ofMillis(100);

    /**
     * open-iscsi's NOP-Out keepalive, shortened as the retry interval is, so a target that stops
     * answering fails the connection in half a second instead of ten.
     */
    private static final NopOutKeepalive KEEPALIVE =
            new NopOutKeepalive(Duration.ofMillis(250), Duration.ofMillis(250));

    /** The least time a set-up step is given, whatever the hang limit. */
    private static final Duration SETUP_FLOOR = Duration.ofSeconds(5);

    /** How long a step may take before it counts as hung. */
    private final Duration limit;

    private volatile boolean bartVisitsCancel = true;

    public ScenarioRunner(Duration limit) {
        this.limit = limit;
    }

    /** bart only: whether its unblock also visits CANCEL devices (unconfirmed; default true). */
    public ScenarioRunner bartVisitsCancel(boolean visits) {
        this.bartVisitsCancel = visits;
        return this;
    }

    /** Runs against a target embedded in this process. */
    public ScenarioReport run(Scenario scenario, Policy policy) throws Exception {
        return run(
                scenario,
                policy,
                scenario.paths() == 2
                        ? ScenarioTarget.twoPortalGroups(null)
                        : ScenarioTarget.embedded(scenario.luns()));
    }

    /**
     * Runs against an iscsilab target on the network: {@code url} is iscsi://HOST:PORT/IQN and
     * {@code admin} the HOST:PORT of its admin API. Its LUN 0 is the scenario's disk.
     */
    public ScenarioReport run(Scenario scenario, Policy policy, String url, String admin)
            throws Exception {
        return run(scenario, policy, ScenarioTarget.remote(url, admin));
    }

    private ScenarioReport run(Scenario scenario, Policy policy, ScenarioTarget scenarioTarget)
            throws Exception {
        try (ScenarioTarget target = scenarioTarget;
                IscsiInitiator initiator = new IscsiInitiator(2)) {
            Run run = new Run(scenario, policy, target, initiator);
            try {
                return run.execute();
            } finally {
                run.cleanUp();
            }
        }
    }

    /** One run: its LLD, session, disk and what was seen. */
    private final class Run {
        final Scenario scenario;
        final Policy policy;
        final ScenarioTarget target;
        final IscsiInitiator initiator;
        final Violations violations = new Violations();
        final List<String> notes = new ArrayList<>();
        final long t0 = System.nanoTime();
        IscsiLld lld;
        IscsiHostSession session;
        MultipathHost multipath;
        StampedWriter writer;
        ScsiDisk disk;
        ScsiDevice device;
        long removalStartSequence;
        long attachedSequence;
        long loginSequence;
        int freezeRule = -1;
        final List<Integer> addedRules = new ArrayList<>();

        Run(Scenario scenario, Policy policy, ScenarioTarget target, IscsiInitiator initiator) {
            this.scenario = scenario;
            this.policy = policy;
            this.target = target;
            this.initiator = initiator;
        }

        void attach(boolean srpLike, Duration replacementTimeout) throws Exception {
            loginSequence = target.eventsRecorded();
            lld = new IscsiLld(initiator, policy, violations, srpLike);
            lld.setBartVisitsCancel(bartVisitsCancel);
            session =
                    lld.login(
                                    target.portal(),
                                    InitiatorConfig.normal(target.iqn())
                                            .withInitiatorName(HOST)
                                            .withKeepalive(KEEPALIVE),
                                    RETRY,
                                    replacementTimeout)
                            .join();
            session.scan();
            if (session.disks().size() < scenario.luns()) {
                throw new IllegalStateException(
                        scenario.id()
                                + " needs a target with "
                                + scenario.luns()
                                + " LUNs; it has "
                                + session.disks().size());
            }
            disk = session.disk(0);
            device = disk.device();
            session.recovery()
                    .onStateChange(
                            (from, to) ->
                                    note(
                                            "session "
                                                    + from
                                                    + " -> "
                                                    + to
                                                    + (to.name().equals("FAILED")
                                                            ? " (replacement timeout: unblock to transport-offline)"
                                                            : "")));
            disk.execute(new byte[6], null, 0).join(); // TEST UNIT READY: the device is up
            attachedSequence = target.eventsRecorded();
            note(
                    "attached "
                            + device.hctl()
                            + ", write cache "
                            + (disk.writeCacheEnabled() ? "on" : "off"));
        }

        /**
         * The two-path host of the multipath scenarios: a session through each portal group, a
         * multipath device (queue_if_no_path) over their disks and a writer through it. The
         * scenario's device is path 1's.
         */
        void attachMultipath() throws Exception {
            loginSequence = target.eventsRecorded();
            lld = new IscsiLld(initiator, policy, violations, false);
            lld.setBartVisitsCancel(bartVisitsCancel);
            multipath =
                    MultipathHost.attach(
                            lld,
                            target,
                            InitiatorConfig.normal(target.iqn())
                                    .withInitiatorName(HOST)
                                    .withKeepalive(KEEPALIVE),
                            RETRY,
                            Duration.ofSeconds(60),
                            SETUP_FLOOR);
            session = multipath.sessions().get(0);
            disk = multipath.disk(0);
            device = disk.device();
            writer = new StampedWriter(multipath.device(), 64, Duration.ofHours(1));
            await(() -> writer.writes() >= 10, "the writer to get going");
            attachedSequence = target.eventsRecorded();
            note(
                    "attached two paths: "
                            + device.hctl()
                            + " (portal group 1) and "
                            + multipath.disk(1).device().hctl()
                            + " (portal group 2) under one multipath device; a writer runs"
                            + " through it");
        }

        /** Freezes the host's connections through portal group {@code group} (1 or 2). */
        int freezePortalGroup(int group) throws Exception {
            InetSocketAddress portal = target.portals().get(group - 1);
            int rule =
                    target.addFault(
                            TransportFailure.freezeRule(HOST)
                                    + ",portal="
                                    + FaultScope.portalName(portal));
            addedRules.add(rule);
            note("fault: freeze portal group " + group);
            return rule;
        }

        /**
         * Whether the writer acknowledged a write within {@code wait} of this call; notes how many,
         * or that it stalled, holding a write no path completes.
         */
        boolean writesGoOn(Duration wait, String where) throws InterruptedException {
            long before = writer.writes();
            long deadline = System.nanoTime() + wait.toNanos();
            while (writer.writes() == before && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(100);
            long n = writer.writes() - before;
            note(
                    n > 0
                            ? n + " writes acknowledged " + where
                            : "no write acknowledged "
                                    + where
                                    + " within "
                                    + wait.toMillis()
                                    + " ms"
                                    + (writer.error() != null ? ": " + writer.error() : ""));
            return n > 0;
        }

        /**
         * The Linux guest's recipe ({@link TransportFailure}): the target freezes the host's
         * connections, the NOP-Out keepalive times out, the session recovers and blocks the target.
         */
        void failTransport() throws Exception {
            freezeRule = target.addFault(TransportFailure.freezeRule(HOST));
            addedRules.add(freezeRule);
            note("fault: freeze the host's connections");
            await(() -> device.state() == DeviceState.BLOCK, "the device to be blocked");
            note("NOP-Out timed out: session recovering, target blocked");
        }

        /** The thaw: the next login goes through. */
        void allowRelogin() throws Exception {
            target.removeFault(freezeRule);
            addedRules.remove(Integer.valueOf(freezeRule));
            note("fault lifted: thaw");
        }

        void note(String what) {
            notes.add(String.format("%6d ms  %s", (System.nanoTime() - t0) / 1_000_000, what));
        }

        /**
         * Waits for a step of the set-up (the device blocked, a relogin): bounded by the hang
         * limit, but never shorter than {@link #SETUP_FLOOR}, which covers the keepalive's interval
         * and timeout however short a limit is asked for.
         */
        void await(BooleanSupplier c, String what) throws InterruptedException {
            long deadline = System.nanoTime() + Math.max(limit.toNanos(), SETUP_FLOOR.toNanos());
            while (!c.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out waiting for " + what);
                }
                Thread.sleep(10);
            }
        }

        ScenarioReport execute() throws Exception {
            ScenarioReport.Outcome outcome;
            long millis = -1;
            List<String> stuck = List.of();
            try {
                Watchdog.Result r =
                        switch (scenario) {
                            case A -> scenarioA();
                            case A_OPEN -> scenarioAOpen();
                            case A_DIRTY -> scenarioADirty();
                            case A_PARKED_IO -> scenarioAParkedIo();
                            case B_SIBLINGS -> scenarioBSiblings();
                            case B -> scenarioB();
                            case B_CASCADE -> scenarioBCascade();
                            case H -> scenarioH();
                            case D -> scenarioD();
                            case D2 -> scenarioD2();
                            case D2_RACE -> scenarioD2Race();
                            case E -> scenarioE();
                            case F -> scenarioF();
                            case B_MP -> scenarioBMultipath();
                            case B_MP_ALL -> scenarioBMultipathAllBlocked();
                        };
                millis = r.millis();
                stuck = r.stuckCallChain();
                if (!r.finished()) {
                    outcome = ScenarioReport.Outcome.HUNG;
                    boolean removal = scenario != Scenario.E && scenario != Scenario.F;
                    violations.record(
                            (removal ? "removal of " + device.hctl() : "I/O to " + device.hctl())
                                    + " did not finish within "
                                    + limit.toMillis()
                                    + " ms"
                                    + (removal
                                            ? " (invariant 1: removal ends in bounded time)"
                                            : ""));
                    note("HUNG: the watchdog stopped waiting");
                } else if (r.error() instanceof KernelBug bug) {
                    outcome = ScenarioReport.Outcome.BUG;
                    note("BUG: " + bug.getMessage());
                } else if (r.error() != null) {
                    outcome = ScenarioReport.Outcome.FAILED;
                    note("FAILED: " + r.error());
                } else {
                    outcome = ScenarioReport.Outcome.COMPLETED;
                }
            } catch (IllegalStateException e) {
                outcome = ScenarioReport.Outcome.FAILED;
                note("FAILED: " + e.getMessage());
            }
            checkQueueInvariant();
            checkTransitions();
            if (scenario == Scenario.A_DIRTY && device != null) {
                long writes =
                        target.eventsAfter(removalStartSequence).stream()
                                .filter(
                                        e ->
                                                e.type() == EventLog.Type.COMMAND
                                                        && e.opcode() == ScsiOpcode.WRITE_16)
                                .count();
                note("written back to the target during removal: " + writes + " WRITE(16)");
            }
            List<String> states = device == null ? List.of() : device.userSpaceStates();
            List<String> multipath =
                    states.stream()
                            .map(s -> MultipathView.of("gone".equals(s) ? null : s).name())
                            .toList();
            boolean syncOnWire =
                    device != null
                            && target.eventsAfter(removalStartSequence).stream()
                                    .anyMatch(
                                            e ->
                                                    e.type() == EventLog.Type.COMMAND
                                                            && e.opcode()
                                                                    == ScsiOpcode
                                                                            .SYNCHRONIZE_CACHE_10);
            return new ScenarioReport(
                    scenario.id(),
                    policy.label(),
                    outcome,
                    millis,
                    states,
                    multipath,
                    syncOnWire,
                    violations.all(),
                    timeline(),
                    stuck,
                    targetEvents(),
                    "java",
                    policy.modelledKernel(),
                    policy.provenance(),
                    causalTrace(),
                    deviceStates());
        }

        /**
         * docs/linux-midlayer.md §10, invariant 5: every state change the enforcer made is legal
         * for the modelled kernel, and the unblock's direct writes only reach the states it may
         * write.
         */
        private void checkTransitions() {
            if (device == null) {
                return;
            }
            Set<DeviceState> unblockTargets =
                    policy.strictUnblockTarget()
                            ? EnumSet.of(
                                    DeviceState.RUNNING,
                                    DeviceState.TRANSPORT_OFFLINE,
                                    DeviceState.CREATED,
                                    DeviceState.CANCEL)
                            : EnumSet.of(
                                    DeviceState.RUNNING,
                                    DeviceState.TRANSPORT_OFFLINE,
                                    DeviceState.OFFLINE,
                                    DeviceState.CREATED,
                                    DeviceState.CANCEL,
                                    DeviceState.QUIESCE);
            for (ScsiDevice.Transition t : device.timeline()) {
                if (t.from() == null) {
                    continue;
                }
                if (t.direct()
                        ? !unblockTargets.contains(t.to())
                        : !policy.allows(t.from(), t.to())) {
                    violations.record(
                            device.hctl()
                                    + ": "
                                    + t.from().sysfs()
                                    + " -> "
                                    + t.to().sysfs()
                                    + " is not a legal change for "
                                    + policy
                                    + " (invariant 5)");
                }
            }
        }

        /**
         * docs/linux-midlayer.md §10, invariant 6 (v4.13 and later, where state_mutex exists): a
         * queue is stopped only while its device is blocked.
         */
        private void checkQueueInvariant() {
            if (policy.removalToDel()
                    && device != null
                    && device.queueStopped()
                    && !device.state().blocked()) {
                violations.record(
                        device.hctl()
                                + "'s queue is stopped while it is "
                                + device.sysfsState()
                                + " (invariant 6)");
            }
        }

        /** sdev_state's values in order, each change once, from the first one after created. */
        private List<String> deviceStates() {
            List<String> out = new ArrayList<>();
            if (device == null) {
                return out;
            }
            for (ScsiDevice.Transition t : device.timeline()) {
                String s = t.to().sysfs();
                if (!s.equals("created") && (out.isEmpty() || !out.get(out.size() - 1).equals(s))) {
                    out.add(s);
                }
            }
            return out;
        }

        /**
         * The host's causal trace with the target's event log since the disk was attached merged in
         * by time, each command the host sent matched to the target's record of it by ITT.
         */
        private List<TraceEvent> causalTrace() throws Exception {
            if (device == null) {
                return List.of();
            }
            CausalTrace trace = device.host().trace();
            List<WireCorrelation.AtTarget> wire =
                    target.eventsAfter(loginSequence).stream()
                            .map(
                                    e ->
                                            new WireCorrelation.AtTarget(
                                                    (e.timeMillis() - trace.startEpochMillis())
                                                            * 1_000,
                                                    e))
                            .toList();
            return WireCorrelation.merge(trace.events(), wire);
        }

        /** The target's event log after the disk was attached: what the host actually sent. */
        private List<String> targetEvents() throws Exception {
            return target.eventsAfter(attachedSequence).stream()
                    .map(ScenarioTarget::describe)
                    .toList();
        }

        private List<String> timeline() {
            List<String> out = new ArrayList<>(notes);
            if (device != null) {
                for (ScsiDevice.Transition t : device.timeline()) {
                    out.add(
                            String.format(
                                    "%6d ms  %s %s -> %s%s",
                                    (t.nanos() - t0) / 1_000_000,
                                    device.hctl(),
                                    t.from() == null ? "-" : t.from().sysfs(),
                                    t.to().sysfs(),
                                    t.direct() ? " (unblock write)" : ""));
                }
            }
            out.sort(String::compareTo);
            return out;
        }

        private Watchdog.Result removal(String name, Watchdog.Step step) throws Exception {
            removalStartSequence = target.eventsRecorded();
            note(name);
            return Watchdog.start(name, step).await(limit);
        }

        // A: the SRP-like LLD's module is unloaded while its target is blocked; the recovery
        // timeout's
        // unblock arrives during removal.
        private Watchdog.Result scenarioA() throws Exception {
            attach(true, Duration.ofMillis(600));
            failTransport();
            return rmmodRemovingTheHost();
        }

        /** A plain rmmod of the SRP-like LLD: module GOING, its exit removes the host. */
        private Watchdog.Result rmmodRemovingTheHost() throws Exception {
            return removal(
                    "rmmod: module GOING, exit removes the host", () -> lld.module().unload(false));
        }

        // A with the disk open: sd_open pins the module, so a plain rmmod is refused first.
        private Watchdog.Result scenarioAOpen() throws Exception {
            attach(true, Duration.ofMillis(600));
            disk.open();
            note("the disk is open: " + lld.module());
            failTransport();
            try {
                lld.module().unload(false);
                throw new IllegalStateException("rmmod went ahead with the disk open");
            } catch (UnloadRefusedException busy) {
                note("rmmod refused: " + busy.errno() + " (" + busy.getMessage() + ")");
            }
            disk.close();
            note("the disk is closed: " + lld.module());
            return rmmodRemovingTheHost();
        }

        // A with dirty page cache and the write cache off: del_gendisk's write-back parks.
        private Watchdog.Result scenarioADirty() throws Exception {
            attach(true, Duration.ofMillis(600));
            disk.setWriteThrough();
            disk.writeBuffered(0, new byte[8 * disk.blockSize()]);
            note(
                    "write cache "
                            + (disk.writeCacheEnabled() ? "on" : "off")
                            + ", "
                            + disk.dirtyBlocks()
                            + " dirty blocks in the page cache");
            failTransport();
            return rmmodRemovingTheHost();
        }

        // A with a user read parked on the stopped queue and the write cache off.
        private Watchdog.Result scenarioAParkedIo() throws Exception {
            attach(true, Duration.ofMillis(600));
            disk.setWriteThrough();
            failTransport();
            CompletableFuture<HostResult> read = disk.read(0, 1);
            await(() -> device.parkedRequests() > 0, "the read to park on the stopped queue");
            note("a user read is parked on the stopped queue");
            Watchdog.Result r = rmmodRemovingTheHost();
            if (read.isDone()) {
                note("the parked read ended: " + read.join().hostByte());
            }
            return r;
        }

        // B with siblings: LUN 0 deleted while recovering; LUNs 1 and 2 must come back.
        private Watchdog.Result scenarioBSiblings() throws Exception {
            attach(false, Duration.ofSeconds(60));
            failTransport();
            removalStartSequence = target.eventsRecorded();
            note("echo 1 > delete (LUN 0 of " + session.disks().size() + ")");
            Watchdog w =
                    Watchdog.start(
                            "remove " + device.hctl(),
                            () -> Removal.removeDeviceHoldingScanMutex(device, disk));
            Thread.sleep(Math.min(1000, limit.toMillis() / 3));
            allowRelogin();
            for (ScsiDisk sibling : session.disks().subList(1, session.disks().size())) {
                await(
                        () -> sibling.device().state() == DeviceState.RUNNING,
                        sibling.device().hctl() + " to run again");
                HostResult r = sibling.read(0, 1).get(limit.toMillis(), TimeUnit.MILLISECONDS);
                if (!r.good()) {
                    throw new IllegalStateException(
                            "read from " + sibling.device().hctl() + " failed: " + r.hostByte());
                }
                note(sibling.device().hctl() + " runs again and serves a read");
            }
            return w.await(limit);
        }

        // B: sysfs delete of a LUN of a recovering session, then the session logs in again.
        private Watchdog.Result scenarioB() throws Exception {
            attach(false, Duration.ofSeconds(60));
            failTransport();
            Watchdog w = startDelete("");
            Thread.sleep(Math.min(1000, limit.toMillis() / 3));
            allowRelogin();
            return w.await(limit);
        }

        // B-mp: B on path 1 of two, with a writer through the multipath device. The write held
        // on path 1's stopped queue fails over only when that queue runs and fails it, so a
        // removal that leaves it stopped stalls the multipath device's I/O too.
        private Watchdog.Result scenarioBMultipath() throws Exception {
            attachMultipath();
            freezeRule = freezePortalGroup(1);
            await(() -> device.state() == DeviceState.BLOCK, "path 1's device to be blocked");
            note("NOP-Out timed out on path 1: its target blocked; path 2 runs");
            Watchdog w = startDelete(" (path 1's disk)");
            Thread.sleep(Math.min(1000, limit.toMillis() / 3));
            allowRelogin();
            Watchdog.Result r = w.await(limit);
            if (!writesGoOn(limit, "through the multipath device after path 1's delete")) {
                violations.record(
                        "the multipath device's writes stopped: a write held on path 1's stopped"
                                + " queue never failed over to path 2");
            }
            return r;
        }

        // B-mp-all: both paths blocked, writes queued; path 1's disk deleted; both thaw.
        private Watchdog.Result scenarioBMultipathAllBlocked() throws Exception {
            attachMultipath();
            int second = freezePortalGroup(2);
            freezeRule = freezePortalGroup(1);
            await(
                    () ->
                            device.state() == DeviceState.BLOCK
                                    && multipath.disk(1).device().state() == DeviceState.BLOCK,
                    "both paths' devices to be blocked");
            note("both paths blocked: the writer waits");
            Watchdog w = startDelete(" (path 1's disk)");
            Thread.sleep(Math.min(1000, limit.toMillis() / 3));
            target.removeFault(second);
            addedRules.remove(Integer.valueOf(second));
            allowRelogin();
            Watchdog.Result r = w.await(limit);
            if (!writesGoOn(limit, "through the multipath device after the thaw")) {
                violations.record(
                        "the multipath device's writes never completed after path 2 returned: a"
                                + " write held on path 1's stopped queue never failed over");
            }
            return r;
        }

        /**
         * echo 1 > delete of the scenario's disk, on a thread of its own under a watchdog; {@code
         * what} says more for the timeline.
         */
        private Watchdog startDelete(String what) throws Exception {
            removalStartSequence = target.eventsRecorded();
            note("echo 1 > delete" + what);
            return Watchdog.start(
                    "remove " + device.hctl(),
                    () -> Removal.removeDeviceHoldingScanMutex(device, disk));
        }

        // B-cascade: B, then iscsiadm --logout of the session whose delete may be stuck.
        private Watchdog.Result scenarioBCascade() throws Exception {
            Watchdog.Result delete = scenarioB();
            note(
                    delete.finished()
                            ? "the delete returned; iscsiadm --logout"
                            : "the delete is still stuck (holding scan_mutex); iscsiadm --logout");
            return removal(
                    "logout (iscsi_host_remove -> scsi_remove_host)", () -> session.logout());
        }

        // H: sd's SYNCHRONIZE CACHE hangs at the target, the removal waits for it, and then the
        // transport fails: the block finds the device in CANCEL.
        private Watchdog.Result scenarioH() throws Exception {
            attach(false, Duration.ofSeconds(60));
            int hang = target.addFault("hang,op=sync,lun=0,initiator=" + HOST);
            addedRules.add(hang);
            Watchdog w = startDelete(" (the target holds SYNCHRONIZE CACHE)");
            await(this::syncCacheHeldAtTarget, "sd's SYNCHRONIZE CACHE to reach the target");
            freezeRule = target.addFault(TransportFailure.freezeRule(HOST));
            addedRules.add(freezeRule);
            await(
                    () -> session.recovery().state() != RecoveringSession.State.LOGGED_IN,
                    "the session to fail");
            note("transport failed during removal: the device is " + device.sysfsState());
            Thread.sleep(Math.min(1000, limit.toMillis() / 3));
            target.removeFault(hang);
            addedRules.remove(Integer.valueOf(hang));
            allowRelogin();
            return w.await(limit);
        }

        /** The hang rule fired on a SYNCHRONIZE CACHE since the removal started. */
        private boolean syncCacheHeldAtTarget() {
            try {
                return target.eventsAfter(removalStartSequence).stream()
                        .anyMatch(
                                e ->
                                        e.type() == EventLog.Type.FAULT
                                                && e.opcode() == ScsiOpcode.SYNCHRONIZE_CACHE_10);
            } catch (Exception e) {
                throw new IllegalStateException("reading the target's event log", e);
            }
        }

        // D: the session is destroyed while recovering.
        private Watchdog.Result scenarioD() throws Exception {
            attach(false, Duration.ofSeconds(60));
            failTransport();
            return removal(
                    "DESTROY_SESSION (iscsi_remove_session)",
                    () -> lld.destroySession(session, () -> {}));
        }

        // D': iscsi_tcp force-unloaded while recovering: its exit unregisters the transport with
        // the session still in the container, a BUG() under every policy (§8).
        private Watchdog.Result scenarioD2() throws Exception {
            attach(false, Duration.ofSeconds(60));
            failTransport();
            return removal(
                    "rmmod -f iscsi_tcp: module GOING, exit unregisters the transport",
                    () -> lld.module().unload(true));
        }

        // D' race: DESTROY_SESSION holds rx_queue_mutex and a module reference when rmmod -f
        // comes: the module goes GOING, its exit waits for the mutex, and the destroy's unblock to
        // transport-offline meets a module whose try_module_get fails.
        private Watchdog.Result scenarioD2Race() throws Exception {
            attach(false, Duration.ofSeconds(60));
            failTransport();
            Watchdog[] rmmod = new Watchdog[1];
            return removal(
                    "DESTROY_SESSION holding rx_queue_mutex; rmmod -f iscsi_tcp meanwhile",
                    () -> {
                        lld.destroySession(
                                session,
                                () -> {
                                    rmmod[0] =
                                            Watchdog.start(
                                                    "rmmod -f iscsi_tcp",
                                                    () -> lld.module().unload(true));
                                    awaitUnchecked(
                                            () -> lld.module().state() == ModuleState.GOING,
                                            "iscsi_tcp to go GOING");
                                    note(
                                            "iscsi_tcp GOING; its exit waits for rx_queue_mutex"
                                                    + " while the destroy goes on");
                                });
                        Watchdog.Result exit = rmmod[0].await(limit);
                        if (exit.error() != null) {
                            throw new IllegalStateException("rmmod: " + exit.error().getMessage());
                        }
                        note("rmmod returned: iscsi_tcp " + lld.module().state());
                    });
        }

        void awaitUnchecked(BooleanSupplier c, String what) {
            try {
                await(c, what);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what);
            }
        }

        // E: replacement timeout, fast failure, then relogin.
        private Watchdog.Result scenarioE() throws Exception {
            attach(false, Duration.ofMillis(500));
            failTransport();
            await(() -> device.state() == DeviceState.TRANSPORT_OFFLINE, "transport-offline");
            HostResult r = disk.read(0, 1).get(limit.toMillis(), TimeUnit.MILLISECONDS);
            note("read while transport-offline: " + r.hostByte());
            if (r.hostByte() == HostResult.HostByte.DID_OK) {
                throw new IllegalStateException("I/O succeeded while transport-offline");
            }
            return Watchdog.start(
                            "relogin",
                            () -> {
                                allowRelogin();
                                await(
                                        () -> device.state() == DeviceState.RUNNING,
                                        "running after relogin");
                                HostResult ok = disk.read(0, 1).get();
                                note(
                                        "read after relogin: "
                                                + ok.hostByte()
                                                + " status "
                                                + ok.status());
                                if (!ok.good()) {
                                    throw new IllegalStateException(
                                            "I/O failed after relogin: " + ok.hostByte());
                                }
                            })
                    .await(limit);
        }

        // F: sysfs write of "running" to a blocked device, then I/O.
        private Watchdog.Result scenarioF() throws Exception {
            attach(false, Duration.ofSeconds(60));
            BlockControl.blockTarget(session.target());
            note("target blocked by the transport");
            try {
                device.writeSysfsState("running");
                note(
                        "echo running > state: accepted, device "
                                + device.sysfsState()
                                + ", queue "
                                + (device.queueStopped() ? "stopped" : "running"));
            } catch (IllegalArgumentException e) {
                note("echo running > state: " + e.getMessage());
                BlockControl.unblockTarget(session.target(), DeviceState.RUNNING);
                note("the transport unblocks the target");
            }
            CompletableFuture<HostResult> io = disk.read(0, 1);
            return Watchdog.start("read after the sysfs write", io::get).await(limit);
        }

        /** Removes the rules this run added (a shared remote target keeps its other rules). */
        void cleanUp() throws Exception {
            if (writer != null) {
                writer.close();
            }
            if (multipath != null) {
                multipath.device().close();
                multipath.sessions().forEach(s -> s.recovery().close());
            }
            for (int id : addedRules) {
                try {
                    target.removeFault(id);
                } catch (IllegalStateException e) {
                    // already gone (a once rule is kept until removed, so this is rare)
                }
            }
            if (session != null) {
                session.recovery().close();
            }
        }
    }
}
