package org.iscsilab.host.scenario;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.iscsilab.host.iscsi.IscsiHostSession;
import org.iscsilab.host.iscsi.IscsiLld;
import org.iscsilab.host.mid.HostResult;
import org.iscsilab.host.mid.Policy;
import org.iscsilab.host.mid.ScsiDisk;
import org.iscsilab.host.module.Violations;
import org.iscsilab.host.multipath.MultipathDevice;
import org.iscsilab.host.multipath.Path;
import org.iscsilab.host.multipath.PathState;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.NopOutKeepalive;

/**
 * Runs {@link MultipathCase}s on the Java host: one session through each portal of the target (the
 * Java LLD with NOP-Out keepalive), a {@link MultipathDevice} over their disks with
 * queue_if_no_path, and a writer of {@link StampedBlocks} through it; the same cases, checks and
 * report as the Linux guest's dm-multipath run, on timeouts scaled down (keepalive 200 ms,
 * replacement timeout 1 s, checker every 100 ms).
 */
public final class MultipathScenarioRunner {
    /** The host's initiator name: the cases' freezes are scoped to it. */
    public static final String INITIATOR = "iqn.2026-01.org.iscsilab:multipath-host";

    /** Blocks of 4 KiB the writer rewrites in rounds, as many as the guest's writer. */
    public static final int BLOCKS = 256;

    /** Writes that must come while the paths are broken, and again after the restore. */
    static final int WRITES_EXPECTED = 30;

    private static final int SECTORS_PER_BLOCK = StampedBlocks.BLOCK_SIZE / 512;
    private static final Duration CHECKER = Duration.ofMillis(100);

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
        List<InetSocketAddress> portals = target.portals();
        if (portals.size() < 2) {
            throw new IllegalArgumentException(
                    "the multipath cases need a target reached through two portal groups");
        }
        try (IscsiInitiator initiator = new IscsiInitiator(2)) {
            IscsiLld lld = new IscsiLld(initiator, Policy.CURRENT, new Violations(), false);
            List<ScsiDisk> disks = new ArrayList<>();
            for (InetSocketAddress portal : portals.subList(0, 2)) {
                IscsiHostSession s =
                        lld.login(
                                        portal,
                                        InitiatorConfig.normal(target.iqn())
                                                .withInitiatorName(INITIATOR)
                                                .withKeepalive(
                                                        new NopOutKeepalive(
                                                                Duration.ofMillis(200),
                                                                Duration.ofMillis(200))),
                                        Duration.ofMillis(100),
                                        Duration.ofSeconds(1))
                                .get(limit.toMillis(), TimeUnit.MILLISECONDS);
                s.scan();
                disks.add(s.disk(0));
            }
            try (MultipathDevice mpath = MultipathDevice.of(disks, CHECKER, -1)) {
                return new Cases(mpath).run(cases, target);
            } finally {
                lld.sessions().forEach(s -> s.recovery().close());
            }
        }
    }

    /** One run's writer and cases over one multipath device. */
    private final class Cases {
        private final MultipathDevice mpath;
        private final AtomicLong writes = new AtomicLong();
        private volatile String currentCase = "start";
        private volatile boolean stop;
        private volatile String error;
        private volatile int lastRound;
        private volatile int lastBlock = -1;
        private final Map<String, Long> longestPause = new ConcurrentHashMap<>();
        private final Map<String, Integer> errors = new ConcurrentHashMap<>();

        Cases(MultipathDevice mpath) {
            this.mpath = mpath;
        }

        MultipathReport.Run run(List<MultipathCase> cases, ScenarioTarget target) throws Exception {
            List<String> start = topology();
            Thread writer = new Thread(this::write, "multipath-writer");
            writer.setDaemon(true);
            writer.start();
            List<MultipathReport> reports = new ArrayList<>();
            try {
                awaitWrites(WRITES_EXPECTED);
                for (MultipathCase c : cases) {
                    reports.add(runCase(c, target));
                }
            } finally {
                stop = true;
                writer.join(limit.toMillis());
            }
            StampedBlocks written = new StampedBlocks(BLOCKS, lastRound, lastBlock);
            List<String> mismatches = written.mismatches(readBack());
            return new MultipathReport.Run(
                    reports,
                    written,
                    mismatches.isEmpty() ? BLOCKS : BLOCKS - mismatches.size(),
                    mismatches,
                    start);
        }

        private MultipathReport runCase(MultipathCase c, ScenarioTarget target) throws Exception {
            List<String> findings = new ArrayList<>();
            currentCase = c.name();
            List<Integer> rules = c.breakPaths(target, INITIATOR);
            int whileBroken;
            if (c.noPathLeft()) {
                if (!await(this::noUsablePath)) {
                    findings.add("a path was still usable " + limit.toSeconds() + " s later");
                }
                long before = writes.get();
                Thread.sleep(hold.toMillis());
                whileBroken = (int) (writes.get() - before);
                if (mpath.queuedRequests() == 0 && error == null) {
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
            int ioErrors = errors.getOrDefault(c.name(), 0);
            if (ioErrors > 0) {
                findings.add(ioErrors + " write error(s) reached the writer: " + error);
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
                    longestPause.getOrDefault(c.name(), 0L),
                    ioErrors,
                    resumed,
                    broken,
                    restored,
                    findings);
        }

        /** The writer: stamped blocks in rounds until told to stop or a write fails. */
        private void write() {
            long last = System.nanoTime();
            for (int round = 1; !stop; round++) {
                for (int block = 0; block < BLOCKS && !stop; block++) {
                    HostResult r;
                    try {
                        r =
                                mpath.write(
                                                (long) block * SECTORS_PER_BLOCK,
                                                StampedBlocks.stamp(round, block))
                                        .get(limit.toMillis() * 4, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (ExecutionException | TimeoutException e) {
                        r = null;
                    }
                    if (r == null || !r.good()) {
                        error = "round " + round + " block " + block + ": " + r;
                        errors.merge(currentCase, 1, Integer::sum);
                        return;
                    }
                    lastRound = round;
                    lastBlock = block;
                    writes.incrementAndGet();
                    long now = System.nanoTime();
                    longestPause.merge(
                            currentCase, TimeUnit.NANOSECONDS.toMillis(now - last), Math::max);
                    last = now;
                }
            }
        }

        /** Waits for {@code n} more acknowledged writes; returns how many came. */
        private int awaitWrites(int n) throws InterruptedException {
            long before = writes.get();
            await(() -> writes.get() - before >= n || error != null);
            return (int) (writes.get() - before);
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

        private byte[] readBack() throws Exception {
            HostResult r =
                    mpath.read(0, BLOCKS * SECTORS_PER_BLOCK)
                            .get(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (!r.good()) {
                throw new IllegalStateException("reading the written blocks back failed: " + r);
            }
            return r.data();
        }
    }
}
