package org.iscsilab.guest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one boot of the guest printed and did: console lines, markers, host-side notes, and how it
 * ended. Filled while the guest runs (handlers of AWAIT markers read it then), complete once {@link
 * LinuxGuest#run()} returns.
 */
public final class GuestRun {
    /** One timeline row: host time since the start of the run, who, what. */
    public record Row(long hostMillis, String source, String text) {
        @Override
        public String toString() {
            return String.format("+%7.2fs  %-7s %s", hostMillis / 1000.0, source, text);
        }
    }

    /** The "[ 14.391234]" a kernel console message starts with. */
    private static final Pattern KERNEL_STAMP = Pattern.compile("\\[\\s*\\d+\\.\\d+\\]");

    private final long startNanos = System.nanoTime();
    private final long startEpochMillis = System.currentTimeMillis();
    private final List<String> console = new ArrayList<>();
    private final List<GuestMarker> markers = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final List<String> hostErrors = new ArrayList<>();
    private boolean booted;
    private boolean timedOut;
    private int qemuExit = Integer.MIN_VALUE;

    /** The wall-clock time the run began: the rows' and markers' host times count from there. */
    public long startEpochMillis() {
        return startEpochMillis;
    }

    long now() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Takes one console line; returns its marker when it is one. */
    synchronized GuestMarker accept(String rawLine) {
        String line = rawLine.replace("\r", "");
        console.add(line);
        int at = line.indexOf("@@ ");
        long t = now();
        if (at >= 0) {
            // the kernel writes to the console between a marker's text and its newline at times:
            // what follows a kernel timestamp after the marker is that message, not the marker's
            Matcher kernel = KERNEL_STAMP.matcher(line);
            String text = line.substring(at + 3);
            String kernelMessage = null;
            if (kernel.find(at)) {
                text = line.substring(at + 3, kernel.start());
                kernelMessage = line.substring(kernel.end()).trim();
            }
            GuestMarker m = GuestMarker.parse(t, text);
            markers.add(m);
            if (m.kind().equals("BOOTED")) {
                booted = true;
            }
            if (!m.kind().equals("AWAIT")) {
                rows.add(new Row(t, "guest", m.toString()));
            }
            if (kernelMessage != null && booted) {
                rows.add(new Row(t, "kernel", kernelMessage));
            }
            notifyAll();
            return m;
        }
        // kernel messages after boot (printk level 6 and more urgent) are the kernel's side of the
        // story
        if (booted && line.startsWith("[") && line.indexOf(']') > 0) {
            rows.add(new Row(t, "kernel", line.substring(line.indexOf(']') + 1).trim()));
        }
        return null;
    }

    /** Records something the host did (a fault added, a target stopped) in the timeline. */
    public synchronized void note(String text) {
        rows.add(new Row(now(), "host", text));
    }

    synchronized void hostError(String text) {
        hostErrors.add(text);
        rows.add(new Row(now(), "host", "ERROR " + text));
    }

    synchronized void ended(int exit, boolean timedOut) {
        this.qemuExit = exit;
        this.timedOut = timedOut;
        notifyAll();
    }

    /** Waits up to {@code millis} for a marker that satisfies the filter; for AWAIT handlers. */
    public synchronized Optional<GuestMarker> waitFor(Predicate<GuestMarker> filter, long millis)
            throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            for (GuestMarker m : markers) {
                if (filter.test(m)) {
                    return Optional.of(m);
                }
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0 || qemuExit != Integer.MIN_VALUE) {
                return Optional.empty();
            }
            wait(left);
        }
    }

    /** Waits for the guest to report a disk's sysfs state (from watch_state). */
    public Optional<GuestMarker> waitForState(String state, long millis)
            throws InterruptedException {
        return waitFor(m -> m.kind().equals("STATE") && m.arg(2).equals(state), millis);
    }

    public synchronized List<String> console() {
        return List.copyOf(console);
    }

    public synchronized List<GuestMarker> markers() {
        return List.copyOf(markers);
    }

    public synchronized List<GuestMarker> markers(String kind) {
        return markers.stream().filter(m -> m.kind().equals(kind)).toList();
    }

    public Optional<GuestMarker> marker(String kind) {
        return markers(kind).stream().findFirst();
    }

    /**
     * The timeline: guest markers, kernel messages and host notes in the order the host saw them.
     */
    public synchronized List<Row> timeline() {
        return List.copyOf(rows);
    }

    /**
     * The sysfs states the guest reported, in order, each change once (one disk's, as watch_state
     * prints them).
     */
    public List<String> sysfsStates() {
        List<String> out = new ArrayList<>();
        for (GuestMarker m : markers("STATE")) {
            if (out.isEmpty() || !out.get(out.size() - 1).equals(m.arg(2))) {
                out.add(m.arg(2));
            }
        }
        return out;
    }

    /** The test script's exit status, or -1 when the guest never reported one. */
    public int exitCode() {
        return marker("EXIT").map(m -> Integer.parseInt(m.arg(0))).orElse(-1);
    }

    public synchronized boolean timedOut() {
        return timedOut;
    }

    /** Why the run did not succeed, or an empty list when it did. */
    public synchronized List<String> problems() {
        List<String> p = new ArrayList<>(hostErrors);
        markers.stream()
                .filter(m -> m.kind().equals("FAIL") || m.kind().equals("ERROR"))
                .forEach(m -> p.add("guest: " + m));
        if (timedOut) {
            p.add("the guest did not finish in time");
        } else if (!booted) {
            p.add("the guest did not boot (QEMU exit " + qemuExit + ")");
        } else if (exitCode() != 0) {
            p.add("the guest script exited " + exitCode());
        }
        return p;
    }

    public boolean succeeded() {
        return problems().isEmpty();
    }

    /** The last {@code n} console lines, for failure messages. */
    public synchronized String consoleTail(int n) {
        return String.join("\n", console.subList(Math.max(0, console.size() - n), console.size()));
    }
}
