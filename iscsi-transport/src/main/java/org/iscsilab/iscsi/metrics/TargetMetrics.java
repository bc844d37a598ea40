package org.iscsilab.iscsi.metrics;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.scsi.ScsiStatus;

/**
 * The target's meters (Micrometer), registered in the registry the assembler of the target gives
 * (the target server exposes a Prometheus one at the admin API's /metrics): SCSI commands by opcode
 * and status with latency histograms, bytes in and out, commands in flight per LUN, sessions,
 * connections, initiators' pings answered, logins by outcome, task management by response and
 * faults fired. Meters on the command path are looked up once and cached.
 */
public final class TargetMetrics {
    private final MeterRegistry registry;

    // an array of a generic type can only be made raw
    @SuppressWarnings({"unchecked", "rawtypes"})
    private final ConcurrentHashMap<String, Counter>[] commands = new ConcurrentHashMap[256];

    /**
     * The counter of each opcode and status met so far, at {@code opcode * STATUSES + ordinal}: the
     * command path reads an array slot instead of hashing the status per command.
     */
    private final AtomicReferenceArray<Counter> counted =
            new AtomicReferenceArray<>(256 * STATUSES);

    private static final int STATUSES = ScsiStatus.values().length;

    /**
     * The latency histogram's buckets, 10 µs to 10 s in 1-2.5-5 steps: a command on a RAM LUN takes
     * microseconds, so Micrometer's default timer buckets (from 1 ms) would put nearly all of them
     * in the first; fewer buckets also make each record cheaper, and one histogram (no rotating
     * time window) is all a cumulative Prometheus histogram needs.
     */
    private static final Duration[] LATENCY_BUCKETS = latencyBuckets();

    private static Duration[] latencyBuckets() {
        List<Duration> out = new ArrayList<>();
        for (long decade = 10_000; decade <= 10_000_000_000L; decade *= 10) {
            for (long step : new long[] {10, 25, 50}) {
                long nanos = decade * step / 10;
                if (nanos <= 10_000_000_000L) {
                    out.add(Duration.ofNanos(nanos));
                }
            }
        }
        return out.toArray(Duration[]::new);
    }

    private final Timer[] latency = new Timer[256];
    private final ConcurrentHashMap<Integer, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    /** The in-flight gauges of LUNs 0 to 255, so the command path needs no boxed map lookup. */
    private final AtomicReferenceArray<AtomicInteger> inFlightOfLowLuns =
            new AtomicReferenceArray<>(256);

    private final ConcurrentHashMap<String, Counter> events = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final DistributionSummary received;
    private final DistributionSummary sent;
    private final Counter sentFromFile;
    private final Counter pingsAnswered;

    public TargetMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.received =
                DistributionSummary.builder("iscsi.target.data.received")
                        .baseUnit("bytes")
                        .description(
                                "SCSI data received from initiators (immediate, unsolicited and Data-Out)")
                        .register(registry);
        this.sent =
                DistributionSummary.builder("iscsi.target.data.sent")
                        .baseUnit("bytes")
                        .description("SCSI data sent to initiators (Data-In)")
                        .register(registry);
        this.sentFromFile =
                Counter.builder("iscsi.target.data.sent.from.file")
                        .baseUnit("bytes")
                        .description(
                                "Data-In bytes sent straight from a LUN's file (sendfile), never read into memory")
                        .register(registry);
        this.pingsAnswered =
                Counter.builder("iscsi.target.pings.answered")
                        .description(
                                "NOP-Out pings from initiators answered with a NOP-In (their keepalives)")
                        .register(registry);
        Gauge.builder("iscsi.target.connections", connections, AtomicInteger::get)
                .description("open TCP connections, in login or full feature phase")
                .register(registry);
        for (int i = 0; i < commands.length; i++) {
            commands[i] = new ConcurrentHashMap<>();
        }
        // the process's memory, for the memory benchmark and for operators: heap, direct buffers,
        // RSS-relevant pools
        new JvmMemoryMetrics().bindTo(registry);
        // the process's CPU time, the Prometheus client's process_cpu_seconds_total: benchmarks
        // divide it by the commands completed for the target's CPU per command
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
                && os.getProcessCpuTime() >= 0) {
            FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
                    .baseUnit("seconds")
                    .description("CPU time the target's process has used, user and system")
                    .register(registry);
        }
        if (ManagementFactory.getThreadMXBean() instanceof ThreadMXBean t
                && t.isThreadAllocatedMemorySupported()) {
            Gauge.builder("jvm.threads.allocated", t, ThreadMXBean::getTotalThreadAllocatedBytes)
                    .baseUnit("bytes")
                    .description("heap bytes allocated so far by the threads alive now")
                    .register(registry);
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The sessions gauge reads the server's registry when scraped. */
    public void bindSessions(Supplier<Number> sessions) {
        Gauge.builder("iscsi.target.sessions", sessions)
                .description("sessions in full feature phase")
                .register(registry);
    }

    public void connectionOpened() {
        connections.incrementAndGet();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    /** A connection the target closed to protect itself: "limit", "login-timeout" or "idle". */
    public void connectionDropped(String reason) {
        count(
                "iscsi.target.connections.dropped",
                "reason",
                reason,
                "connections closed by the target's limits and timeouts");
    }

    /** An initiator's NOP-Out ping got its NOP-In (RFC 7143 §11.18). */
    public void pingAnswered() {
        pingsAnswered.increment();
    }

    /** Data-In bytes that went out from a file rather than from memory. */
    public void sentFromFile(long bytes) {
        sentFromFile.increment(bytes);
    }

    /** A command started on a LUN: counted in flight until {@link #commandDone}. */
    public void commandStarted(int lun) {
        inFlightOf(lun).incrementAndGet();
    }

    /**
     * A started command that task management aborted: it leaves the LUN's queue without a status.
     */
    public void commandAborted(int lun) {
        leftQueue(lun);
    }

    /** A command of the LUN ended; nothing when none was counted as started. */
    private void leftQueue(int lun) {
        AtomicInteger n = knownInFlight(lun);
        if (n != null) {
            n.decrementAndGet();
        }
    }

    private AtomicInteger knownInFlight(int lun) {
        return lun >= 0 && lun < inFlightOfLowLuns.length()
                ? inFlightOfLowLuns.get(lun)
                : inFlight.get(lun);
    }

    private AtomicInteger inFlightOf(int lun) {
        AtomicInteger n = knownInFlight(lun);
        if (n != null) {
            return n;
        }
        boolean low = lun >= 0 && lun < inFlightOfLowLuns.length();
        n =
                inFlight.computeIfAbsent(
                        lun,
                        l -> {
                            AtomicInteger gauge = new AtomicInteger();
                            Gauge.builder(
                                            "iscsi.target.lun.commands.in.flight",
                                            gauge,
                                            AtomicInteger::get)
                                    .description("commands the LUN is executing (its queue depth)")
                                    .tag("lun", String.valueOf(l))
                                    .register(registry);
                            return gauge;
                        });
        if (low) {
            inFlightOfLowLuns.set(lun, n);
        }
        return n;
    }

    public void commandDone(
            int lun,
            int opcode,
            ScsiStatus status,
            long nanos,
            long bytesReceived,
            long bytesSent) {
        leftQueue(lun);
        int op = opcode & 0xFF;
        int slot = op * STATUSES + status.ordinal();
        Counter c = counted.get(slot);
        if (c == null) {
            c =
                    commands[op].computeIfAbsent(
                            status.name(),
                            k ->
                                    Counter.builder("iscsi.target.commands")
                                            .description("SCSI commands completed")
                                            .tag("opcode", String.format("0x%02x", op))
                                            .tag("status", k)
                                            .register(registry));
            counted.set(slot, c);
        }
        c.increment();
        Timer t = latency[op];
        if (t == null) {
            t =
                    Timer.builder("iscsi.target.command.latency")
                            .description("SCSI command execution time")
                            .tag("opcode", String.format("0x%02x", op))
                            .serviceLevelObjectives(LATENCY_BUCKETS)
                            .distributionStatisticBufferLength(1)
                            .register(registry);
            latency[op] = t;
        }
        t.record(nanos, TimeUnit.NANOSECONDS);
        if (bytesReceived > 0) {
            received.record(bytesReceived);
        }
        if (bytesSent > 0) {
            sent.record(bytesSent);
        }
    }

    /** Logins by outcome, task management by response and faults fired, from the event log. */
    public void onEvent(EventLog.Event e) {
        switch (e.type()) {
            case LOGIN ->
                    count(
                            "iscsi.target.logins",
                            "outcome",
                            e.status(),
                            "login attempts by outcome");
            case TASK_MANAGEMENT ->
                    count(
                            "iscsi.target.task.management",
                            "response",
                            e.status(),
                            "task management requests by response");
            case FAULT -> count("iscsi.target.faults.fired", "rule", "any", "fault rules fired");
            case ALUA ->
                    count(
                            "iscsi.target.alua.changes",
                            "state",
                            e.status(),
                            "target port group access state changes by new state");
            default -> {}
        }
    }

    private void count(String name, String tag, String value, String description) {
        String v = value == null ? "none" : value;
        events.computeIfAbsent(
                        name + '\0' + v,
                        k ->
                                Counter.builder(name)
                                        .description(description)
                                        .tag(tag, v)
                                        .register(registry))
                .increment();
    }
}
