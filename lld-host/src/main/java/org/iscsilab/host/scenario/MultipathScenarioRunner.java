package org.iscsilab.host.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.iscsilab.host.iscsi.IscsiLld;
import org.iscsilab.host.mid.Policy;
import org.iscsilab.host.module.Violations;
import org.iscsilab.host.multipath.MultipathDevice;
import org.iscsilab.host.multipath.Path;
import org.iscsilab.host.multipath.PathState;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.NopOutKeepalive;

/**
 * Runs {@link MultipathCase}s on the Java host: a {@link MultipathHost} (the Java LLD with NOP-Out
 * keepalive through each portal, a multipath device with queue_if_no_path) and a {@link
 * StampedWriter} through it; the same cases, checks and report as the Linux guest's dm-multipath
 * run, on timeouts scaled down (keepalive 200 ms, replacement timeout 1 s, checker every 100 ms).
 */
public final class MultipathScenarioRunner {
    /** The host's initiator name: the cases' freezes are scoped to it. */
    public static final String INITIATOR = "iqn.2026-01.org.iscsilab:multipath-host";

    /** Blocks of 4 KiB the writer rewrites in rounds, as many as the guest's writer. */
    public static final int BLOCKS = 256;

    /** Writes that must come while the paths are broken, and again after the restore. */
    static final int WRITES_EXPECTED = 30;

    /** How long every wait of a case may take before the case FAILED. */
    private final Duration limit;

    /** How long M4 watches that no write completes once no path is left. */
    private final Duration hold;

    public MultipathScenarioRunner(Duration limit, Duration hold) {
        this.limit = limit;
        this.hold = hold;
    }

    public MultipathScenarioRunner() {
        this(Duration.ofSeconds(30), Duration.ofSeconds(2));
    }

    public MultipathReport.Run run(List<MultipathCase> cases, ScenarioTarget target)
            throws Exception {
        try (IscsiInitiator initiator = new IscsiInitiator(2)) {
            IscsiLld lld = new IscsiLld(initiator, Policy.CURRENT, new Violations(), false);
            MultipathHost host =
                    MultipathHost.attach(
                            lld,
                            target,
                            InitiatorConfig.normal(target.iqn())
                                    .withInitiatorName(INITIATOR)
                                    .withKeepalive(
                                            new NopOutKeepalive(
                                                    Duration.ofMillis(200),
                                                    Duration.ofMillis(200))),
                            Duration.ofMillis(100),
                            Duration.ofSeconds(1),
                            limit);
            try (MultipathDevice mpath = host.device();
                    StampedWriter writer =
                            new StampedWriter(mpath, BLOCKS, limit.multipliedBy(4))) {
                return new Cases(mpath, writer).run(cases, target);
            } finally {
                lld.sessions().forEach(s -> s.recovery().close());
            }
        }
    }

    /** One run's cases over one multipath device and its writer. */
    private final class Cases {
        private final MultipathDevice mpath;
        private final StampedWriter writer;

        Cases(MultipathDevice mpath, StampedWriter writer) {
            this.mpath = mpath;
            this.writer = writer;
        }

        MultipathReport.Run run(List<MultipathCase> cases, ScenarioTarget target) throws Exception {
            List<String> start = topology();
            List<MultipathReport> reports = new ArrayList<>();
            awaitWrites(WRITES_EXPECTED);
            for (MultipathCase c : cases) {
                reports.add(runCase(c, target));
            }
            StampedBlocks written = writer.stop(limit);
            StampedWriter.Verification check = writer.verify(written, limit);
            return new MultipathReport.Run(
                    reports, written, check.verified(), check.mismatches(), start);
        }

        private MultipathReport runCase(MultipathCase c, ScenarioTarget target) throws Exception {
            List<String> findings = new ArrayList<>();
            writer.label(c.name());
            List<Integer> rules = c.breakPaths(target, INITIATOR);
            int whileBroken;
            if (c.noPathLeft()) {
                if (!await(this::noUsablePath)) {
                    findings.add("a path was still usable " + limit.toSeconds() + " s later");
                }
                long before = writer.writes();
                Thread.sleep(hold.toMillis());
                whileBroken = (int) (writer.writes() - before);
                if (mpath.queuedRequests() == 0 && writer.error() == null) {
                    findings.add("no write was waiting in the queue");
                }
            } else {
                whileBroken = awaitWrites(WRITES_EXPECTED);
            }
            List<String> broken = topology();
            c.restore(target, rules);
            boolean resumed = awaitWrites(WRITES_EXPECTED) >= WRITES_EXPECTED;
            if (!await(this::everyPathUp)) {
                findings.add("not every path was up " + limit.toSeconds() + " s after the restore");
            }
            List<String> restored = topology();
            int ioErrors = writer.errors(c.name());
            if (ioErrors > 0) {
                findings.add(ioErrors + " write error(s) reached the writer: " + writer.error());
            }
            if (c.noPathLeft() ? whileBroken != 0 : whileBroken < WRITES_EXPECTED) {
                findings.add(whileBroken + " writes while the paths were broken");
            }
            if (!resumed) {
                findings.add("writes did not resume after the restore");
            }
            return new MultipathReport(
                    c.id(),
                    "java",
                    "Java host, " + Policy.CURRENT.label(),
                    findings.isEmpty()
                            ? ScenarioReport.Outcome.COMPLETED
                            : ScenarioReport.Outcome.FAILED,
                    whileBroken,
                    writer.longestPauseMillis(c.name()),
                    ioErrors,
                    resumed,
                    broken,
                    restored,
                    findings);
        }

        /** Waits for {@code n} more acknowledged writes; returns how many came. */
        private int awaitWrites(int n) throws InterruptedException {
            long before = writer.writes();
            await(() -> writer.writes() - before >= n || writer.error() != null);
            return (int) (writer.writes() - before);
        }

        private boolean noUsablePath() {
            return mpath.paths().stream()
                    .noneMatch(p -> p.state() == PathState.UP || p.state() == PathState.GHOST);
        }

        private boolean everyPathUp() {
            return mpath.paths().stream().allMatch(p -> p.state() == PathState.UP);
        }

        private boolean await(BooleanSupplier condition) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(20);
            }
            return true;
        }

        private List<String> topology() {
            return mpath.paths().stream().map(Path::toString).toList();
        }
    }
}
