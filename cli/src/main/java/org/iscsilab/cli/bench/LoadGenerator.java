package org.iscsilab.cli.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;

/**
 * The load generator of {@code iscsilab bench}: the Java initiator with {@code sessions} sessions,
 * each keeping up to {@code depth} READ(16)/WRITE(16) commands outstanding for the duration, like
 * fio's libaio engine or iscsi-perf. Latency is recorded per command and direction in
 * HdrHistograms; every second a progress callback gets the last second's numbers, which the result
 * keeps as its series. With verification every written block starts with a stamp of its LBA, and
 * every block read must carry its own stamp or be unwritten (zeros).
 *
 * <p>With a rate, command i is due at start + i / rate over all sessions; a slot whose next command
 * is not yet due waits for it, and a command's latency runs from when it was due, not from when a
 * busy slot got to send it, so a target that falls behind shows its backlog in the latency
 * (coordinated omission avoided, as in wrk2).
 */
public final class LoadGenerator {
    private static final byte[] MAGIC = "ISCSILAB".getBytes(StandardCharsets.US_ASCII);
    private static final int READ = 0;
    private static final int WRITE = 1;

    /**
     * One interval (about a second) of a run, ramp or measured: its number from 0, its phase, when
     * it ended (seconds into its phase), how long it was, and per direction the commands completed,
     * IOPS, MB/s and p50/p99 latency in microseconds; errors so far.
     */
    public record Progress(
            int index,
            String phase,
            double seconds,
            double intervalSeconds,
            Point read,
            Point write,
            Point total,
            long errors) {
        /** The phase of the intervals before the measured window. */
        public static final String RAMP = "ramp";

        /** The phase of the intervals that are reported. */
        public static final String MEASURED = "measured";

        /** One direction in one interval; p50 and p99 in microseconds, 0 without commands. */
        public record Point(
                long ios, double iops, double megabytesPerSecond, double p50, double p99) {
            static Point of(long ios, long bytes, double seconds, Histogram nanos) {
                boolean none = nanos.getTotalCount() == 0;
                return new Point(
                        ios,
                        ios / seconds,
                        bytes / seconds / 1e6,
                        none ? 0 : nanos.getValueAtPercentile(50) / 1000.0,
                        none ? 0 : nanos.getValueAtPercentile(99) / 1000.0);
            }
        }

        public boolean ramp() {
            return RAMP.equals(phase);
        }
    }

    private final InetSocketAddress portal;
    private final String iqn;
    private final int lun;
    private final LoginOptions login;
    private final CpuClock targetCpu;
    private final boolean embeddedTarget;

    public LoadGenerator(InetSocketAddress portal, String iqn, int lun) {
        this(portal, iqn, lun, LoginOptions.DEFAULT, null, false);
    }

    /**
     * A generator that logs in as {@code login}; {@code targetCpu} (may be null) measures a remote
     * target's CPU; {@code embeddedTarget} says the target runs in this JVM, whose threads other
     * than the generator's are then counted as the target's.
     */
    public LoadGenerator(
            InetSocketAddress portal,
            String iqn,
            int lun,
            LoginOptions login,
            CpuClock targetCpu,
            boolean embeddedTarget) {
        this.portal = portal;
        this.iqn = iqn;
        this.lun = lun;
        this.login = login;
        this.targetCpu = targetCpu;
        this.embeddedTarget = embeddedTarget;
    }

    public BenchResult run(BenchSpec spec, Consumer<Progress> progress) throws Exception {
        try (IscsiInitiator initiator =
                new IscsiInitiator(
                        Math.min(spec.sessions(), Runtime.getRuntime().availableProcessors()))) {
            List<InitiatorSession> sessions = new ArrayList<>();
            for (int i = 0; i < spec.sessions(); i++) {
                sessions.add(initiator.login(portal, login.config(iqn)).join());
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
            for (BlockSizeMix.Share s : spec.blockSizes().shares()) {
                if (s.size() % lunBlock != 0) {
                    throw new IllegalArgumentException(
                            "block size "
                                    + s.size()
                                    + " is not a multiple of the LUN's "
                                    + lunBlock
                                    + "-byte blocks");
                }
            }
            ScheduledThreadPoolExecutor pacer = new ScheduledThreadPoolExecutor(1, daemon());
            try {
                Run run = new Run(spec, lunField, blocks, lunBlock, pacer);
                return run.execute(sessions, progress);
            } finally {
                pacer.shutdownNow();
            }
        }
    }

    private static ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "bench-pacer");
            t.setDaemon(true);
            return t;
        };
    }

    /** CPU clocks read at the start and at the end of the measured window. */
    private final class CpuSample {
        final double process;
        final double target;
        final Map<Long, Long> threads;

        CpuSample() {
            this.process = CpuClock.self().secondsOrNaN();
            this.target = targetCpu == null ? Double.NaN : targetCpu.secondsOrNaN();
            this.threads = embeddedTarget ? threadTimes() : Map.of();
        }

        private static Map<Long, Long> threadTimes() {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            Map<Long, Long> times = new HashMap<>();
            for (long id : mx.getAllThreadIds()) {
                long t = mx.getThreadCpuTime(id);
                if (t >= 0) {
                    times.put(id, t);
                }
            }
            return times;
        }

        /** CPU per command between this sample and {@code end}. */
        CpuUsage until(CpuSample end, long commands, Set<Long> clientThreads) {
            double perCommand = 1e6 / Math.max(1, commands);
            double processSeconds = end.process - process;
            double client = processSeconds;
            String clientSource = CpuUsage.PROCESS;
            Double targetSeconds = null;
            String targetSource = null;
            if (embeddedTarget) {
                long clientNanos = 0;
                long otherNanos = 0;
                for (Map.Entry<Long, Long> e : end.threads.entrySet()) {
                    long delta = e.getValue() - threads.getOrDefault(e.getKey(), 0L);
                    if (clientThreads.contains(e.getKey())) {
                        clientNanos += delta;
                    } else {
                        otherNanos += delta;
                    }
                }
                client = clientNanos / 1e9;
                clientSource = CpuUsage.LOAD_GENERATOR_THREADS;
                targetSeconds = otherNanos / 1e9;
                targetSource = CpuUsage.EMBEDDED_TARGET_THREADS;
            } else if (targetCpu != null && !Double.isNaN(end.target - target)) {
                targetSeconds = end.target - target;
                targetSource = targetCpu.source();
            }
            return new CpuUsage(
                    clientSource,
                    client,
                    client * perCommand,
                    processSeconds,
                    processSeconds * perCommand,
                    targetSource,
                    targetSeconds,
                    targetSeconds == null ? null : targetSeconds * perCommand);
        }
    }

    /** One run's shared counters and its slots. */
    private final class Run {
        final BenchSpec spec;
        final long lunField;
        final int lunBlock;
        final long lunBlocks;
        final ScheduledExecutorService pacer;
        final long start = System.nanoTime();
        final long deadline;

        /** The end of the ramp: what completes before it warms things up and is not reported. */
        final long measuredFrom;

        /** Per direction: latencies of the ramp and of the measured window, in nanoseconds. */
        final Recorder[] rampLatency = {new Recorder(3), new Recorder(3)};

        final Recorder[] measuredLatency = {new Recorder(3), new Recorder(3)};

        /** Per direction: commands and bytes completed, ramp included (for the series). */
        final LongAdder[] allIos = {new LongAdder(), new LongAdder()};

        final LongAdder[] allBytes = {new LongAdder(), new LongAdder()};

        /** Per direction: commands and bytes completed in the measured window. */
        final LongAdder[] ios = {new LongAdder(), new LongAdder()};

        final LongAdder[] bytes = {new LongAdder(), new LongAdder()};
        final LongAdder errors = new LongAdder();
        final LongAdder verifyFailures = new LongAdder();
        final AtomicLong sequentialLba = new AtomicLong();
        final AtomicLong lastCompletion = new AtomicLong(System.nanoTime());

        /** The number of the next paced command (with a rate). */
        final AtomicLong ticket = new AtomicLong();

        final double nanosPerIo;
        final int readPercent;
        final Distribution.Sampler[] samplers;
        final Set<Long> clientThreads = ConcurrentHashMap.newKeySet();
        final ThreadLocal<Boolean> known = new ThreadLocal<>();
        CountDownLatch finished;

        Run(
                BenchSpec spec,
                long lunField,
                long lunBlocks,
                int lunBlock,
                ScheduledExecutorService pacer) {
            this.spec = spec;
            this.lunField = lunField;
            this.lunBlock = lunBlock;
            this.lunBlocks = lunBlocks;
            this.pacer = pacer;
            this.measuredFrom = start + spec.ramp().toNanos();
            this.deadline = measuredFrom + spec.duration().toNanos();
            this.readPercent = spec.workload().readPercent(spec.readPercent());
            this.nanosPerIo = spec.rateIops() > 0 ? 1e9 / spec.rateIops() : 0;
            List<BlockSizeMix.Share> shares = spec.blockSizes().shares();
            this.samplers = new Distribution.Sampler[shares.size()];
            for (int i = 0; i < shares.size(); i++) {
                long positions = lunBlocks / (shares.get(i).size() / lunBlock);
                if (positions < 1) {
                    throw new IllegalArgumentException(
                            "the LUN is smaller than one " + shares.get(i).size() + "-byte I/O");
                }
                samplers[i] = spec.distribution().sampler(positions);
            }
        }

        /** Notes the calling thread as one of the load generator's. */
        void clientThread() {
            if (known.get() == null) {
                known.set(Boolean.TRUE);
                clientThreads.add(Thread.currentThread().getId());
            }
        }

        BenchResult execute(List<InitiatorSession> sessions, Consumer<Progress> progress)
                throws InterruptedException {
            clientThread();
            finished = new CountDownLatch(sessions.size() * spec.depth());
            CpuSample cpuFrom = measuredFrom <= start ? new CpuSample() : null;
            int slot = 0;
            for (InitiatorSession s : sessions) {
                for (int d = 0; d < spec.depth(); d++) {
                    new Slot(s, new SplittableRandom(spec.seed() * 7919 + slot++)).next();
                }
            }
            Histogram[] total = {new Histogram(3), new Histogram(3)};
            List<Progress> series = new ArrayList<>();
            long[] lastIos = new long[2];
            long[] lastBytes = new long[2];
            long lastTick = start;
            while (!finished.await(tickMillis(System.nanoTime()), TimeUnit.MILLISECONDS)) {
                long now = System.nanoTime();
                if (cpuFrom == null && now >= measuredFrom) {
                    cpuFrom = new CpuSample();
                }
                boolean ramp = lastTick < measuredFrom;
                Progress p = tick(series.size(), ramp, now, lastTick, total, lastIos, lastBytes);
                series.add(p);
                progress.accept(p);
                lastTick = now;
                if (now > deadline + TimeUnit.SECONDS.toNanos(30)) {
                    break; // commands that never complete: report what finished
                }
            }
            CpuSample cpuTo = new CpuSample();
            long end = System.nanoTime();
            if (end - lastTick > TimeUnit.MILLISECONDS.toNanos(10)) {
                // the last, shorter interval up to the last completion
                Progress p =
                        tick(
                                series.size(),
                                lastTick < measuredFrom,
                                end,
                                lastTick,
                                total,
                                lastIos,
                                lastBytes);
                series.add(p);
                progress.accept(p);
            }
            if (cpuFrom == null) {
                cpuFrom = cpuTo; // everything finished before the ramp was over
            }
            for (int d = READ; d <= WRITE; d++) {
                total[d].add(measuredLatency[d].getIntervalHistogram());
            }
            // the measured window opens when the ramp was due to end, whenever this thread
            // noticed it
            double seconds = Math.max(1e-9, (lastCompletion.get() - measuredFrom) / 1e9);
            Histogram both = total[READ].copy();
            both.add(total[WRITE]);
            List<Double> pct = spec.percentiles();
            DirectionStats read =
                    DirectionStats.of(
                            ios[READ].sum(), bytes[READ].sum(), seconds, total[READ], pct);
            DirectionStats write =
                    DirectionStats.of(
                            ios[WRITE].sum(), bytes[WRITE].sum(), seconds, total[WRITE], pct);
            long n = read.ios() + write.ios();
            long moved = read.bytes() + write.bytes();
            DirectionStats sum = DirectionStats.of(n, moved, seconds, both, pct);
            return new BenchResult(
                    null,
                    spec.label(),
                    spec.workload().label(),
                    spec.blockSizes().single(),
                    spec.blockSizes().shares(),
                    spec.depth(),
                    spec.sessions(),
                    readPercent,
                    spec.distribution().label(),
                    spec.rateIops() > 0 ? spec.rateIops() : null,
                    spec.verify(),
                    spec.seed(),
                    spec.ramp().toNanos() / 1e9,
                    n,
                    moved,
                    errors.sum(),
                    verifyFailures.sum(),
                    seconds,
                    sum.iops(),
                    sum.megabytesPerSecond(),
                    micros(both, 50),
                    micros(both, 99),
                    micros(both, 99.9),
                    both.getTotalCount() == 0 ? 0 : both.getMaxValue() / 1000.0,
                    cpuFrom.until(cpuTo, n, clientThreads),
                    read,
                    write,
                    series,
                    sum);
        }

        /** The interval since the last tick; measured latencies also go into the totals. */
        private Progress tick(
                int index,
                boolean ramp,
                long now,
                long lastTick,
                Histogram[] total,
                long[] lastIos,
                long[] lastBytes) {
            double secs = Math.max(1e-9, (now - lastTick) / 1e9);
            Progress.Point[] points = new Progress.Point[2];
            Histogram both = new Histogram(3);
            long bothIos = 0;
            long bothBytes = 0;
            for (int d = READ; d <= WRITE; d++) {
                Histogram interval = rampLatency[d].getIntervalHistogram();
                Histogram measured = measuredLatency[d].getIntervalHistogram();
                total[d].add(measured);
                interval.add(measured);
                long i = allIos[d].sum();
                long b = allBytes[d].sum();
                points[d] = Progress.Point.of(i - lastIos[d], b - lastBytes[d], secs, interval);
                bothIos += i - lastIos[d];
                bothBytes += b - lastBytes[d];
                both.add(interval);
                lastIos[d] = i;
                lastBytes[d] = b;
            }
            return new Progress(
                    index,
                    ramp ? Progress.RAMP : Progress.MEASURED,
                    (now - (ramp ? start : measuredFrom)) / 1e9,
                    secs,
                    points[READ],
                    points[WRITE],
                    Progress.Point.of(bothIos, bothBytes, secs, both),
                    errors.sum());
        }

        /** A progress tick a second, and one at the ramp's end so the live line restarts there. */
        private long tickMillis(long now) {
            return now < measuredFrom
                    // rounded up: the tick at the ramp's end must not come before it
                    ? Math.min(1000, Math.max(1, (measuredFrom - now + 999_999) / 1_000_000))
                    : 1000;
        }

        private static double micros(Histogram h, double percentile) {
            return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
        }

        /**
         * The first LBA of the next sequential I/O of {@code perIo} blocks, wrapping at the end.
         */
        private long nextSequential(int perIo) {
            while (true) {
                long cur = sequentialLba.get();
                long lba = cur + perIo > lunBlocks ? 0 : cur;
                if (sequentialLba.compareAndSet(cur, lba + perIo)) {
                    return lba;
                }
            }
        }

        /** One outstanding command at a time, re-issued on completion until the deadline. */
        private final class Slot {
            final InitiatorSession session;
            final SplittableRandom random;
            final byte[][] writeBuffers = new byte[spec.blockSizes().shares().size()][];

            Slot(InitiatorSession session, SplittableRandom random) {
                this.session = session;
                this.random = random;
            }

            void next() {
                long now = System.nanoTime();
                if (nanosPerIo == 0) {
                    if (now >= deadline) {
                        finished.countDown();
                    } else {
                        issue(now);
                    }
                    return;
                }
                long due = start + (long) (ticket.getAndIncrement() * nanosPerIo);
                if (due >= deadline || now >= deadline) {
                    // nothing is sent after the deadline, even if it was due before it
                    finished.countDown();
                } else if (due - now > 20_000) {
                    pacer.schedule(() -> issue(due), due - now, TimeUnit.NANOSECONDS);
                } else {
                    issue(due); // due now, or late: the latency still runs from when it was due
                }
            }

            /** Sends the next command; its latency runs from {@code from}. */
            void issue(long from) {
                clientThread();
                int size = spec.blockSizes().pick(random);
                int bs = spec.blockSizes().size(size);
                int perIo = bs / lunBlock;
                long lba =
                        spec.workload().random()
                                ? samplers[size].next(random) * perIo
                                : nextSequential(perIo);
                boolean read = random.nextInt(100) < readPercent;
                byte[] cdb = read ? Cdbs.read16(lba, perIo) : Cdbs.write16(lba, perIo, false);
                byte[] out = null;
                if (!read) {
                    if (writeBuffers[size] == null) {
                        writeBuffers[size] = new byte[bs];
                    }
                    out = writeBuffers[size];
                    if (spec.verify()) {
                        stamp(out, lba, perIo);
                    }
                }
                int d = read ? READ : WRITE;
                session.execute(lunField, cdb, out, read ? bs : 0)
                        .whenComplete(
                                (r, err) -> {
                                    clientThread();
                                    long end = System.nanoTime();
                                    long t = Math.max(1, end - from);
                                    lastCompletion.accumulateAndGet(end, Math::max);
                                    if (err != null || !r.good()) {
                                        errors.increment();
                                    } else {
                                        allIos[d].increment();
                                        allBytes[d].add(bs);
                                        if (end < measuredFrom) {
                                            rampLatency[d].recordValue(t);
                                        } else {
                                            measuredLatency[d].recordValue(t);
                                            ios[d].increment();
                                            bytes[d].add(bs);
                                        }
                                        if (read
                                                && spec.verify()
                                                && !verify(r.data(), lba, perIo)) {
                                            verifyFailures.increment();
                                        }
                                    }
                                    if (err != null && !session.isOpen()) {
                                        // the session is gone: this slot stops
                                        finished.countDown();
                                        return;
                                    }
                                    next();
                                });
            }

            /** Each logical block begins with the magic and its own LBA. */
            private void stamp(byte[] buf, long lba, int perIo) {
                ByteBuffer b = ByteBuffer.wrap(buf);
                for (int i = 0; i < perIo; i++) {
                    b.put(i * lunBlock, MAGIC).putLong(i * lunBlock + MAGIC.length, lba + i);
                }
            }

            private boolean verify(byte[] data, long lba, int perIo) {
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
