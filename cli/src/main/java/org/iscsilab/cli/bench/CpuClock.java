package org.iscsilab.cli.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A process's CPU time (user plus system) so far, in seconds: this JVM's, another process' from
 * /proc/PID/stat, or a target's from its Prometheus /metrics ({@code process_cpu_seconds_total}).
 */
public interface CpuClock {
    /** Linux reports /proc times in USER_HZ ticks, 100 a second on every architecture. */
    int USER_HZ = 100;

    /** The Prometheus name of a process's CPU time. */
    String CPU_METRIC = "process_cpu_seconds_total";

    /** What the result calls this clock's source. */
    String source();

    /** CPU seconds so far. */
    double seconds() throws IOException;

    /** CPU seconds so far, or NaN when the clock cannot be read now. */
    default double secondsOrNaN() {
        try {
            return seconds();
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** What a clock reads. */
    interface Reading {
        double seconds() throws IOException;
    }

    /** A clock of this source that reads {@code reading}. */
    static CpuClock of(String source, Reading reading) {
        return new CpuClock() {
            @Override
            public String source() {
                return source;
            }

            @Override
            public double seconds() throws IOException {
                return reading.seconds();
            }
        };
    }

    /** This JVM's CPU time. */
    static CpuClock self() {
        OperatingSystemMXBean os =
                (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return of(CpuUsage.PROCESS, () -> os.getProcessCpuTime() / 1e9);
    }

    /** Process {@code pid}'s utime + stime from /proc/PID/stat. */
    static CpuClock pid(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        return of(CpuUsage.TARGET_PID, () -> procStatSeconds(Files.readString(stat)));
    }

    /** utime + stime (fields 14 and 15) of a /proc/PID/stat line, in seconds. */
    static double procStatSeconds(String line) {
        // the command name (field 2) is in parentheses and may hold spaces and parentheses
        String[] f = line.substring(line.lastIndexOf(')') + 2).strip().split(" ");
        // f[0] is field 3 (the state), so field 14 is f[11]
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) USER_HZ;
    }

    /** The sum of process_cpu_seconds_total in the Prometheus text at {@code url}. */
    static CpuClock metrics(URI url) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return of(
                CpuUsage.TARGET_METRICS,
                () -> {
                    HttpResponse<String> r;
                    try {
                        r =
                                http.send(
                                        HttpRequest.newBuilder(url)
                                                .timeout(Duration.ofSeconds(5))
                                                .GET()
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while reading " + url, e);
                    }
                    if (r.statusCode() != 200) {
                        throw new IOException(url + " answered HTTP " + r.statusCode());
                    }
                    return prometheusCpuSeconds(r.body());
                });
    }

    /** process_cpu_seconds_total in Prometheus' text format (summed over its label sets). */
    static double prometheusCpuSeconds(String text) {
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (!l.startsWith(CPU_METRIC)) {
                continue;
            }
            String rest = l.substring(CPU_METRIC.length());
            if (rest.startsWith("{")) {
                rest = rest.substring(rest.indexOf('}') + 1);
            } else if (!rest.startsWith(" ")) {
                continue; // another metric whose name starts alike
            }
            sum += Double.parseDouble(rest.strip().split("\\s+")[0]);
            found = true;
        }
        if (!found) {
            throw new IllegalArgumentException("the metrics have no process_cpu_seconds_total");
        }
        return sum;
    }
}
