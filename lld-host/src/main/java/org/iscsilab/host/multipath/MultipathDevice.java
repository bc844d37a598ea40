package org.iscsilab.host.multipath;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.iscsilab.host.mid.HostResult;
import org.iscsilab.host.mid.MultipathView;
import org.iscsilab.host.mid.ScsiDisk;
import org.iscsilab.scsi.Cdbs;

/**
 * A dm-multipath device over several paths to one logical unit (one NAA designator in VPD page
 * 83h), configured as multipath-tools does for an ALUA target: {@code path_grouping_policy
 * group_by_prio}, {@code prio alua} (active/optimized 50, active/non-optimized 10, standby 1,
 * others 0), {@code path_checker tur}, {@code failback immediate}, and {@code no_path_retry} N
 * (queue_if_no_path for N checker intervals, then fail; -1 queues for ever, 0 fails at once).
 *
 * <p>I/O goes round robin over the usable paths of the highest-priority group (a standby path only
 * when nothing else is usable). A command that fails for a reason of its path fails that path and
 * is sent down another; with no usable path it waits in the device's queue. A command whose port is
 * in an ALUA transition (NOT READY 04h/0Ah) is retried on the same path, as Linux's ALUA device
 * handler has it, for up to {@link #TRANSITION_TIMEOUT}. A path whose TEST UNIT READY goes
 * unanswered for {@link #TUR_TIMEOUTS_TO_DOWN} checker rounds is down (multipathd's PATH_TIMEOUT).
 * The checker tests every path each interval: a blocked device is pending (no verdict: the path
 * keeps its state), an offline or removed one down, a running one is asked TEST UNIT READY; a
 * change of access state (a unit attention, or a NOT READY for a port) makes it read REPORT TARGET
 * PORT GROUPS again.
 */
public final class MultipathDevice implements AutoCloseable {
    /**
     * A queued request: what to run on a path, its caller's future, and since when
     * (System.nanoTime) its path has answered that an ALUA transition is in progress (0: it has
     * not).
     */
    private record Queued(
            Function<ScsiDisk, CompletableFuture<HostResult>> io,
            CompletableFuture<HostResult> result,
            long transitioningSince) {
        Queued transitioning() {
            return transitioningSince != 0 ? this : new Queued(io, result, System.nanoTime());
        }
    }

    /**
     * How long a command is retried on a path in an ALUA transition before the path fails
     * (scsi_dh_alua's default transition timeout, ALUA_FAILOVER_TIMEOUT, 60 s).
     */
    static final Duration TRANSITION_TIMEOUT = Duration.ofSeconds(60);

    /** The pause before a command is retried on a transitioning path. */
    private static final Duration TRANSITION_RETRY = Duration.ofMillis(20);

    /**
     * Checker rounds in a row whose TEST UNIT READY got no answer before the path is down:
     * multipathd's tur checker reports PATH_TIMEOUT once its checker_timeout has passed.
     */
    static final int TUR_TIMEOUTS_TO_DOWN = 5;

    /** Requests waiting to be retried on a transitioning path; close() ends them. */
    private final Set<Queued> retrying = new HashSet<>();

    /** Checker rounds in a row each path's TEST UNIT READY went unanswered. */
    private final Map<Path, Integer> turTimeouts = new HashMap<>();

    private final List<Path> paths;
    private final Duration checkerInterval;
    private final int noPathRetry;
    private final ScheduledExecutorService checker;
    private final Deque<Queued> queued = new ArrayDeque<>();
    private int nextPath;
    private int intervalsWithoutPath;
    private volatile boolean priorityChanged = true;
    private volatile boolean closed;

    private MultipathDevice(List<Path> paths, Duration checkerInterval, int noPathRetry) {
        this.paths = List.copyOf(paths);
        this.checkerInterval = checkerInterval;
        this.noPathRetry = noPathRetry;
        this.checker =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "multipathd-checker");
                            t.setDaemon(true);
                            return t;
                        });
        refreshPriorities();
        checker.scheduleWithFixedDelay(
                this::check,
                checkerInterval.toMillis(),
                checkerInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Assembles the device from disks that are paths to one logical unit; refused when their NAA
     * designators differ (multipath matches paths by WWID).
     */
    public static MultipathDevice of(
            List<ScsiDisk> disks, Duration checkerInterval, int noPathRetry) {
        if (disks.isEmpty()) {
            throw new IllegalArgumentException("a multipath device needs a path");
        }
        byte[] wwid = null;
        List<Path> paths = new ArrayList<>();
        for (ScsiDisk d : disks) {
            byte[] page = vpd83(d);
            byte[] naa = designator(page, 0, 3);
            if (wwid == null) {
                wwid = naa;
            } else if (!Arrays.equals(wwid, naa)) {
                throw new IllegalArgumentException(
                        d.device().hctl() + " is a path to another logical unit (NAA differs)");
            }
            byte[] tpg = designator(page, 1, 5);
            paths.add(new Path(d, tpg == null ? -1 : ((tpg[2] & 0xFF) << 8) | (tpg[3] & 0xFF)));
        }
        return new MultipathDevice(paths, checkerInterval, noPathRetry);
    }

    private static byte[] vpd83(ScsiDisk d) {
        HostResult r = d.execute(Cdbs.inquiry(true, 0x83, 255), null, 255).join();
        if (!r.good()) {
            throw new IllegalStateException(d.device().hctl() + ": no VPD page 83h");
        }
        return r.data();
    }

    /** The value of the first designator of this association and type, or null. */
    private static byte[] designator(byte[] page, int association, int type) {
        for (int at = 4; at + 4 <= page.length; at += 4 + (page[at + 3] & 0xFF)) {
            int len = page[at + 3] & 0xFF;
            if ((page[at + 1] & 0x0F) == type
                    && ((page[at + 1] >> 4) & 3) == association
                    && at + 4 + len <= page.length) {
                return Arrays.copyOfRange(page, at + 4, at + 4 + len);
            }
        }
        return null;
    }

    public List<Path> paths() {
        return paths;
    }

    /** multipath -ll in short: each path with its group, priority and state. */
    public synchronized String topology() {
        StringBuilder sb = new StringBuilder();
        for (Path p : paths) {
            sb.append(p).append('\n');
        }
        return sb.toString();
    }

    /** Requests waiting for a usable path. */
    public synchronized int queuedRequests() {
        return queued.size();
    }

    public CompletableFuture<HostResult> read(long lba, int blocks) {
        return submit(d -> d.read(lba, blocks));
    }

    public CompletableFuture<HostResult> write(long lba, byte[] data) {
        return submit(d -> d.write(lba, data));
    }

    private CompletableFuture<HostResult> submit(
            Function<ScsiDisk, CompletableFuture<HostResult>> io) {
        CompletableFuture<HostResult> result = new CompletableFuture<>();
        dispatch(new Queued(io, result, 0));
        return result;
    }

    /** Sends a request down a usable path, or queues it (or fails it: no path, no queueing). */
    private void dispatch(Queued q) {
        Path p;
        synchronized (this) {
            p = pick();
            if (p == null) {
                if (noPathRetry == 0 || (noPathRetry > 0 && intervalsWithoutPath > noPathRetry)) {
                    q.result().complete(HostResult.of(HostResult.HostByte.DID_NO_CONNECT));
                } else {
                    queued.addLast(q);
                }
                return;
            }
        }
        send(p, q);
    }

    /** Runs a request on a path; a path error sends it on to another path or the queue. */
    private void send(Path p, Queued q) {
        q.io().apply(p.disk())
                .whenComplete(
                        (r, err) -> {
                            HostResult result =
                                    err != null ? HostResult.of(HostResult.HostByte.DID_ERROR) : r;
                            PathVerdict v = PathVerdict.of(result);
                            if (v.transitioning()) {
                                retryDuringTransition(p, q.transitioning());
                                return;
                            }
                            if (!v.pathError()) {
                                if (v.priorityChange()) {
                                    priorityChanged = true;
                                }
                                q.result().complete(result);
                                return;
                            }
                            failPath(p, v);
                            dispatch(q); // another path, or the queue
                        });
    }

    /**
     * The path's port is in an ALUA transition: the command goes down the same path again shortly,
     * until the transition timeout fails the path.
     */
    private void retryDuringTransition(Path p, Queued q) {
        priorityChanged = true;
        if (System.nanoTime() - q.transitioningSince() > TRANSITION_TIMEOUT.toNanos()) {
            failPath(p, new PathVerdict(PathState.DOWN, true, true));
            dispatch(new Queued(q.io(), q.result(), 0));
            return;
        }
        synchronized (this) {
            if (closed) {
                q.result().complete(HostResult.of(HostResult.HostByte.DID_NO_CONNECT));
                return;
            }
            retrying.add(q);
        }
        try {
            checker.schedule(
                    () -> {
                        synchronized (this) {
                            if (!retrying.remove(q)) {
                                return; // closed meanwhile: close() ended it
                            }
                        }
                        send(p, q);
                    },
                    TRANSITION_RETRY.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                retrying.remove(q);
            }
            q.result().complete(HostResult.of(HostResult.HostByte.DID_NO_CONNECT));
        }
    }

    private synchronized void failPath(Path p, PathVerdict v) {
        p.state(v.state());
        if (v.priorityChange()) {
            priorityChanged = true;
        }
    }

    /**
     * group_by_prio: the highest priority among usable paths picks the group; round robin in it.
     * Standby (ghost) paths serve only when no path is up.
     */
    private Path pick() {
        List<Path> usable = new ArrayList<>();
        for (PathState wanted : new PathState[] {PathState.UP, PathState.GHOST}) {
            int best = Integer.MIN_VALUE;
            for (Path p : paths) {
                if (p.state() == wanted) {
                    best = Math.max(best, p.priority());
                }
            }
            for (Path p : paths) {
                if (p.state() == wanted && p.priority() == best) {
                    usable.add(p);
                }
            }
            if (!usable.isEmpty()) {
                break;
            }
        }
        if (usable.isEmpty()) {
            return null;
        }
        return usable.get(Math.floorMod(nextPath++, usable.size()));
    }

    /** The checker's round: each path's state, priorities when they changed, the queue. */
    private void check() {
        if (closed) {
            return;
        }
        for (Path p : paths) {
            MultipathView sysfs = MultipathView.of(p.disk().device().sysfsState());
            PathState s =
                    switch (sysfs) {
                        case PATH_UP -> tur(p);
                        case PATH_PENDING -> PathState.PENDING;
                        default -> PathState.DOWN;
                    };
            if (s == PathState.PENDING) {
                continue; // multipathd: PATH_PENDING is no verdict, the path keeps its state
            }
            synchronized (this) {
                if (p.state() != s) {
                    priorityChanged = true; // multipathd updates a path's priority on a change
                }
                p.state(s);
            }
        }
        if (priorityChanged) {
            refreshPriorities();
        }
        List<Queued> retry;
        synchronized (this) {
            boolean anyUsable =
                    paths.stream()
                            .anyMatch(
                                    p -> p.state() == PathState.UP || p.state() == PathState.GHOST);
            intervalsWithoutPath = anyUsable ? 0 : intervalsWithoutPath + 1;
            retry = new ArrayList<>(queued);
            queued.clear();
        }
        retry.forEach(this::dispatch);
    }

    /**
     * The tur checker: TEST UNIT READY within the checker interval. No answer is no verdict, until
     * {@link #TUR_TIMEOUTS_TO_DOWN} rounds in a row had none: then the path is down.
     */
    private PathState tur(Path p) {
        try {
            HostResult r =
                    p.disk()
                            .execute(Cdbs.testUnitReady(), null, 0)
                            .get(checkerInterval.toMillis(), TimeUnit.MILLISECONDS);
            turTimeouts.remove(p);
            PathVerdict v = PathVerdict.of(r);
            if (v.priorityChange()) {
                priorityChanged = true;
            }
            return v.state();
        } catch (Exception e) {
            int missed = turTimeouts.merge(p, 1, Integer::sum);
            return missed >= TUR_TIMEOUTS_TO_DOWN ? PathState.DOWN : PathState.PENDING;
        }
    }

    /**
     * prio alua: REPORT TARGET PORT GROUPS through a path that answers, each path's priority from
     * its group's access state.
     */
    private void refreshPriorities() {
        Map<Integer, Integer> byGroup = new HashMap<>();
        for (Path p : paths) {
            try {
                HostResult r =
                        p.disk()
                                .execute(Cdbs.reportTargetPortGroups(1024), null, 1024)
                                .get(checkerInterval.toMillis(), TimeUnit.MILLISECONDS);
                if (r.good() && r.data().length >= 8) {
                    ByteBuffer b = ByteBuffer.wrap(r.data());
                    int header = (b.get(4) & 0x70) == 0x10 ? 8 : 4;
                    for (int at = header;
                            at + 8 <= b.limit();
                            at += 8 + 4 * (b.get(at + 7) & 0xFF)) {
                        byGroup.put(b.getShort(at + 2) & 0xFFFF, aluaPriority(b.get(at) & 0x0F));
                    }
                    break;
                }
            } catch (Exception e) {
                // no answer from this path: ask the next
            }
        }
        if (byGroup.isEmpty()) {
            return; // keep the priorities there are; the next round asks again
        }
        priorityChanged = false;
        synchronized (this) {
            for (Path p : paths) {
                p.priority(byGroup.getOrDefault(p.group(), 0));
            }
        }
    }

    /** multipath-tools prioritizers/alua.c: the access state's priority. */
    static int aluaPriority(int accessState) {
        return switch (accessState) {
            case 0x0 -> 50; // active/optimized
            case 0x1 -> 10; // active/non-optimized
            case 0x2 -> 1; // standby
            default -> 0; // unavailable, offline, transitioning
        };
    }

    @Override
    public void close() {
        List<Queued> left;
        synchronized (this) {
            closed = true;
            left = new ArrayList<>(queued);
            left.addAll(retrying);
            queued.clear();
            retrying.clear();
        }
        checker.shutdownNow();
        left.forEach(q -> q.result().complete(HostResult.of(HostResult.HostByte.DID_NO_CONNECT)));
    }
}
