package org.iscsilab.cli.bench;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;

/**
 * The load generator of {@code iscsilab bench}: the Java initiator with {@code sessions} sessions,
 * each keeping {@code depth} READ(16)/WRITE(16) commands outstanding for the duration, like fio's
 * libaio engine or iscsi-perf. Latency is recorded per command in an HdrHistogram; every second a
 * progress callback gets the last second's numbers. With verification every written block starts
 * with a stamp of its LBA, and every block read must carry its own stamp or be unwritten (zeros).
 */
public final class LoadGenerator {
    private static final byte[] MAGIC = "ISCSILAB".getBytes(StandardCharsets.US_ASCII);

    /** One second of progress. */
    public record Progress(
            double seconds,
            double iops,
            double megabytesPerSecond,
            double p99Micros,
            long errors) {}

    private final InetSocketAddress portal;
    private final String iqn;
    private final int lun;

    public LoadGenerator(InetSocketAddress portal, String iqn, int lun) {
        this.portal = portal;
        this.iqn = iqn;
        this.lun = lun;
    }

    public BenchResult run(BenchSpec spec, Consumer<Progress> progress) throws Exception {
        try (IscsiInitiator initiator =
                new IscsiInitiator(
                        Math.min(spec.sessions(), Runtime.getRuntime().availableProcessors()))) {
            List<InitiatorSession> sessions = new ArrayList<>();
            for (int i = 0; i < spec.sessions(); i++) {
                sessions.add(
                        initiator
                                .login(
                                        portal,
                                        InitiatorConfig.normal(iqn)
                                                .withInitiatorName(
                                                        "iqn.2026-01.org.iscsilab:bench"))
                                .join());
            }
            long lunField = LunAddress.encode(lun);
            for (InitiatorSession s : sessions) {
                s.execute(lunField, Cdbs.testUnitReady(), null, 0)
                        .join(); // the new nexus' unit attention
            }
            ScsiResult cap =
                    sessions.get(0).execute(lunField, Cdbs.readCapacity16(32), null, 32).join();
            if (!cap.good()) {
                throw new IllegalStateException(
                        "READ CAPACITY(16) of LUN " + lun + " failed: " + cap);
            }
            long blocks = ByteBuffer.wrap(cap.data()).getLong(0) + 1;
            int lunBlock = ByteBuffer.wrap(cap.data()).getInt(8);
            if (spec.blockSize() % lunBlock != 0) {
                throw new IllegalArgumentException(
                        "block size "
                                + spec.blockSize()
                                + " is not a multiple of the LUN's "
                                + lunBlock
                                + "-byte blocks");
            }
            Run run = new Run(spec, lunField, blocks, lunBlock);
            return run.execute(sessions, progress);
        }
    }

    /** One run's shared counters and its slots. */
    private static final class Run {
        final BenchSpec spec;
        final long lunField;
        final int perIo;
        final int lunBlock;
        final long positions;
        final long deadline;
        final long start = System.nanoTime();

        /** The end of the ramp: what completes before it warms things up and is not reported. */
        final long measuredFrom;

        final Recorder recorder = new Recorder(3);

        /** Commands completed in the measured window (after the ramp), and their bytes. */
        final AtomicLong ios = new AtomicLong();

        final AtomicLong bytes = new AtomicLong();

        /**
         * Commands completed during the ramp: shown live, never reported (like fio's ramp_time).
         */
        final AtomicLong rampIos = new AtomicLong();

        final AtomicLong rampBytes = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong verifyFailures = new AtomicLong();
        final AtomicLong sequential = new AtomicLong();
        final AtomicLong lastCompletion = new AtomicLong(System.nanoTime());
        final int readPercent;
        CountDownLatch finished;

        Run(BenchSpec spec, long lunField, long lunBlocks, int lunBlock) {
            this.spec = spec;
            this.lunField = lunField;
            this.lunBlock = lunBlock;
            this.perIo = spec.blockSize() / lunBlock;
            this.positions = lunBlocks / perIo;
            this.measuredFrom = start + spec.ramp().toNanos();
            this.deadline = measuredFrom + spec.duration().toNanos();
            this.readPercent = spec.workload().readPercent(spec.readPercent());
            if (positions < 1) {
                throw new IllegalArgumentException(
                        "the LUN is smaller than one " + spec.blockSize() + "-byte I/O");
            }
        }

        BenchResult execute(List<InitiatorSession> sessions, Consumer<Progress> progress)
                throws InterruptedException {
            finished = new CountDownLatch(sessions.size() * spec.depth());
            int slot = 0;
            for (InitiatorSession s : sessions) {
                for (int d = 0; d < spec.depth(); d++) {
                    new Slot(s, new SplittableRandom(spec.seed() * 7919 + slot++)).next();
                }
            }
            Histogram total = new Histogram(3);
            long lastIos = 0;
            long lastBytes = 0;
            long lastTick = start;
            while (!finished.await(tickMillis(System.nanoTime()), TimeUnit.MILLISECONDS)) {
                long now = System.nanoTime();
                Histogram interval = recorder.getIntervalHistogram();
                total.add(interval);
                long i = ios.get() + rampIos.get();
                long b = bytes.get() + rampBytes.get();
                double secs = (now - lastTick) / 1e9;
                progress.accept(
                        new Progress(
                                (now - start) / 1e9,
                                (i - lastIos) / secs,
                                (b - lastBytes) / secs / 1e6,
                                interval.getTotalCount() == 0
                                        ? 0
                                        : interval.getValueAtPercentile(99) / 1000.0,
                                errors.get()));
                lastIos = i;
                lastBytes = b;
                lastTick = now;
                if (now > deadline + TimeUnit.SECONDS.toNanos(30)) {
                    break; // commands that never complete: report what finished
                }
            }
            total.add(recorder.getIntervalHistogram());
            // the measured window opens when the ramp was due to end, whenever this thread noticed
            // it
            double seconds = Math.max(1e-9, (lastCompletion.get() - measuredFrom) / 1e9);
            long n = ios.get();
            long moved = bytes.get();
            return new BenchResult(
                    spec.label(),
                    spec.workload().label(),
                    spec.blockSize(),
                    spec.depth(),
                    spec.sessions(),
                    n,
                    moved,
                    errors.get(),
                    verifyFailures.get(),
                    seconds,
                    n / seconds,
                    moved / seconds / 1e6,
                    micros(total, 50),
                    micros(total, 99),
                    micros(total, 99.9),
                    total.getTotalCount() == 0 ? 0 : total.getMaxValue() / 1000.0);
        }

        /** A progress tick a second, and one at the ramp's end so the live line restarts there. */
        private long tickMillis(long now) {
            return now < measuredFrom
                    ? Math.min(1000, Math.max(1, (measuredFrom - now) / 1_000_000))
                    : 1000;
        }

        private static double micros(Histogram h, double percentile) {
            return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
        }

        /** One outstanding command at a time, re-issued on completion until the deadline. */
        private final class Slot {
            final InitiatorSession session;
            final SplittableRandom random;
            final byte[] writeBuffer;

            Slot(InitiatorSession session, SplittableRandom random) {
                this.session = session;
                this.random = random;
                this.writeBuffer = new byte[spec.blockSize()];
            }

            void next() {
                long now = System.nanoTime();
                if (now >= deadline) {
                    finished.countDown();
                    return;
                }
                long position =
                        spec.workload().random()
                                ? random.nextLong(positions)
                                : Math.floorMod(sequential.getAndIncrement(), positions);
                long lba = position * perIo;
                boolean read = random.nextInt(100) < readPercent;
                byte[] cdb = read ? Cdbs.read16(lba, perIo) : Cdbs.write16(lba, perIo, false);
                byte[] out = null;
                if (!read) {
                    out = writeBuffer;
                    if (spec.verify()) {
                        stamp(out, lba);
                    }
                }
                session.execute(lunField, cdb, out, read ? spec.blockSize() : 0)
                        .whenComplete(
                                (r, err) -> {
                                    long end = System.nanoTime();
                                    long t = end - now;
                                    lastCompletion.accumulateAndGet(end, Math::max);
                                    if (err != null || !r.good()) {
                                        errors.incrementAndGet();
                                    } else {
                                        if (end < measuredFrom) {
                                            rampIos.incrementAndGet();
                                            rampBytes.addAndGet(spec.blockSize());
                                        } else {
                                            recorder.recordValue(Math.max(1, t));
                                            ios.incrementAndGet();
                                            bytes.addAndGet(spec.blockSize());
                                        }
                                        if (read && spec.verify() && !verify(r.data(), lba)) {
                                            verifyFailures.incrementAndGet();
                                        }
                                    }
                                    if (err != null && !session.isOpen()) {
                                        finished.countDown(); // the session is gone: this slot
                                        // stops
                                        return;
                                    }
                                    next();
                                });
            }

            /** Each logical block begins with the magic and its own LBA. */
            private void stamp(byte[] buf, long lba) {
                ByteBuffer b = ByteBuffer.wrap(buf);
                for (int i = 0; i < perIo; i++) {
                    b.put(i * lunBlock, MAGIC).putLong(i * lunBlock + MAGIC.length, lba + i);
                }
            }

            private boolean verify(byte[] data, long lba) {
                ByteBuffer b = ByteBuffer.wrap(data);
                for (int i = 0; i < perIo; i++) {
                    int at = i * lunBlock;
                    boolean zeros = b.getLong(at) == 0 && b.getLong(at + 8) == 0;
                    boolean stamped = true;
                    for (int k = 0; k < MAGIC.length; k++) {
                        stamped &= data[at + k] == MAGIC[k];
                    }
                    if (!zeros && !(stamped && b.getLong(at + MAGIC.length) == lba + i)) {
                        return false;
                    }
                }
                return true;
            }
        }
    }
}
