package org.iscsilab.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.iscsilab.cli.bench.BenchSpec;
import org.iscsilab.cli.bench.BlockSizeMix;
import org.iscsilab.cli.bench.CpuClock;
import org.iscsilab.cli.bench.Distribution;
import org.iscsilab.cli.bench.LoginOptions;
import org.iscsilab.cli.bench.Workload;
import org.iscsilab.core.LunSpec;
import org.iscsilab.iscsi.initiator.IscsiUrl;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.iscsi.node.IscsiNames;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options of one bench job: what to drive, how, and how to log in. On the command line they
 * describe the one job of a run; in a job file ({@code --job}) each job sets them by their long
 * names without the dashes, and the command line's own overrides the file.
 */
final class BenchOptions {
    /** The environment variable the CHAP secret may come from, as for {@code iscsilab target}. */
    static final String CHAP_SECRET_ENV = "ISCSILAB_CHAP_SECRET";

    /** Digest choices of the login (RFC 7143 §13.1). */
    enum Digest {
        CRC32C,
        NONE
    }

    @Option(
            names = "--target",
            paramLabel = "URL",
            description =
                    "iscsi://HOST:PORT/IQN/LUN (default: an embedded target with the --lun below).")
    String target;

    @Option(
            names = "--lun",
            paramLabel = "SPEC",
            description =
                    "The embedded target's LUN, " + LunSpec.SYNTAX + " (default ${DEFAULT-VALUE}).")
    String lunSpec = LunSpec.DEFAULT;

    @Option(
            names = {"-w", "--workload"},
            description =
                    "read, write, rw, randread, randwrite, randrw (default ${DEFAULT-VALUE}).")
    String workload = "randread";

    @Option(
            names = {"-b", "--bs"},
            paramLabel = "SIZE[:PCT,...]",
            description =
                    "Bytes per I/O, e.g. 4k or 1m, or a mix of sizes and their shares of the I/Os "
                            + "in percent, e.g. 4k:70,64k:20,1m:10 (default ${DEFAULT-VALUE}).")
    String blockSize = "4k";

    @Option(
            names = {"-q", "--depth"},
            description = "Outstanding commands per session (default ${DEFAULT-VALUE}).")
    int depth = 32;

    @Option(
            names = {"-s", "--sessions"},
            description = "Sessions (default ${DEFAULT-VALUE}).")
    int sessions = 1;

    @Option(
            names = {"-t", "--duration"},
            paramLabel = "SECONDS",
            description = "Seconds to measure (default ${DEFAULT-VALUE}).")
    double seconds = 10;

    @Option(
            names = "--ramp",
            paramLabel = "SECONDS",
            description =
                    "Seconds of load before measuring starts, for JIT warm-up (default ${DEFAULT-VALUE}).")
    double ramp = 2;

    @Option(
            names = "--mix",
            paramLabel = "READ%",
            description = "Reads in percent for rw/randrw (default ${DEFAULT-VALUE}).")
    int mix = 70;

    @Option(
            names = "--verify",
            arity = "0..1",
            description = "Stamp every written block with its LBA and check every block read.")
    boolean verify;

    @Option(names = "--seed", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(
            names = "--distribution",
            paramLabel = "D",
            description =
                    "Where random I/Os land: uniform, zipf:THETA (e.g. zipf:1.2) or hotspot:P/Q "
                            + "(P%% of the I/Os to the first Q%% of the LUN) (default ${DEFAULT-VALUE}).")
    String distribution = "uniform";

    @Option(
            names = "--rate",
            paramLabel = "IOPS",
            description =
                    "Issue this many I/Os a second over all sessions, latency measured from when "
                            + "each was due (default: as fast as the depth allows).")
    double rate;

    @Option(names = "--chap-user", paramLabel = "USER", description = "Log in with CHAP as USER.")
    String chapUser;

    @Option(
            names = "--chap-secret",
            paramLabel = "SECRET",
            description =
                    "The CHAP secret, at least 12 bytes (or the "
                            + CHAP_SECRET_ENV
                            + " environment variable).")
    String chapSecret;

    @Option(
            names = "--mutual-chap-user",
            paramLabel = "USER",
            description = "Mutual CHAP: the name the target must answer as.")
    String mutualChapUser;

    @Option(
            names = "--mutual-chap-secret",
            paramLabel = "SECRET",
            description = "Mutual CHAP: the secret the target must prove.")
    String mutualChapSecret;

    @Option(
            names = "--header-digest",
            paramLabel = "CRC32C|None",
            description = "Ask for a CRC32C header digest (default ${DEFAULT-VALUE}).")
    Digest headerDigest = Digest.NONE;

    @Option(
            names = "--data-digest",
            paramLabel = "CRC32C|None",
            description = "Ask for a CRC32C data digest (default ${DEFAULT-VALUE}).")
    Digest dataDigest = Digest.NONE;

    @Option(
            names = "--initiator-name",
            paramLabel = "IQN",
            description = "The initiator name to log in as (default ${DEFAULT-VALUE}).")
    String initiatorName = LoginOptions.DEFAULT_INITIATOR;

    @Option(
            names = "--target-pid",
            paramLabel = "PID",
            description = "Measure the target's CPU per command from /proc/PID/stat.")
    Long targetPid;

    @Option(
            names = "--target-metrics",
            paramLabel = "URL",
            description =
                    "Measure the target's CPU per command from process_cpu_seconds_total at this "
                            + "Prometheus URL, e.g. http://HOST:9260/metrics.")
    String targetMetrics;

    /** A checked job: what to run and against what. */
    record Job(
            BenchSpec spec,
            IscsiUrl target,
            String lunSpec,
            LoginOptions login,
            CpuClock targetCpu) {}

    /**
     * Checks every option and returns the job; an error names the option and the value (secrets are
     * not repeated).
     */
    Job check(CommandSpec cmd, Function<String, String> env, List<Double> percentiles) {
        IscsiUrl url = null;
        if (target != null) {
            url = OptionChecks.check(cmd, "--target", target, IscsiUrl::parse);
            OptionChecks.check(cmd, "--target", target, t -> IscsiUrl.parse(t).requireLun());
        }
        OptionChecks.check(cmd, "--lun", lunSpec, v -> LunSpec.parse(v).requireUsable());
        Workload w = OptionChecks.check(cmd, "--workload", workload, Workload::parse);
        BlockSizeMix bs = OptionChecks.check(cmd, "--bs", blockSize, BlockSizeMix::parse);
        if (depth < 1 || depth > 128) {
            throw bad(cmd, "--depth", depth, "give 1 to 128 (the target's command window)");
        }
        if (sessions < 1 || sessions > 256) {
            throw bad(cmd, "--sessions", sessions, "give 1 to 256");
        }
        if (!(seconds > 0) || seconds > 1e6) {
            throw bad(cmd, "--duration", seconds, "give more than 0 seconds");
        }
        if (!(ramp >= 0) || ramp > 1e6) {
            throw bad(cmd, "--ramp", ramp, "give 0 or more seconds");
        }
        if (mix < 0 || mix > 100) {
            throw bad(cmd, "--mix", mix, "give a percentage from 0 to 100");
        }
        Distribution d =
                OptionChecks.check(cmd, "--distribution", distribution, Distribution::parse);
        if (d.kind() != Distribution.Kind.UNIFORM && !w.random()) {
            throw bad(
                    cmd,
                    "--distribution",
                    distribution,
                    "needs a random workload (randread, randwrite, randrw), not " + workload);
        }
        if (!(rate >= 0) || rate > 10_000_000) {
            throw bad(cmd, "--rate", rate, "give I/Os a second, above 0 and at most 10000000");
        }
        LoginOptions login = login(cmd, env);
        CpuClock targetCpu = targetCpu(cmd);
        BenchSpec spec =
                new BenchSpec(
                        w,
                        bs,
                        depth,
                        sessions,
                        Duration.ofMillis(Math.round(seconds * 1000)),
                        mix,
                        verify,
                        seed,
                        Duration.ofMillis(Math.round(ramp * 1000)),
                        d,
                        rate,
                        percentiles);
        return new Job(spec, url, lunSpec, login, targetCpu);
    }

    private LoginOptions login(CommandSpec cmd, Function<String, String> env) {
        OptionChecks.check(
                cmd,
                "--initiator-name",
                initiatorName,
                v -> {
                    IscsiNames.validate(v);
                    return v;
                });
        ChapCredentials chap = null;
        ChapCredentials mutual = null;
        if (chapSecret != null && chapUser == null) {
            throw bad(cmd, "--chap-secret", "(hidden)", "needs --chap-user");
        }
        if (chapUser != null) {
            String secret = chapSecret != null ? chapSecret : env.apply(CHAP_SECRET_ENV);
            if (secret == null) {
                throw bad(
                        cmd,
                        "--chap-user",
                        chapUser,
                        "needs --chap-secret (or " + CHAP_SECRET_ENV + ")");
            }
            chap =
                    credentials(
                            cmd,
                            chapUser,
                            secret,
                            chapSecret != null ? "--chap-secret" : "--chap-user");
        }
        if ((mutualChapUser == null) != (mutualChapSecret == null)) {
            throw mutualChapUser == null
                    ? bad(cmd, "--mutual-chap-secret", "(hidden)", "needs --mutual-chap-user")
                    : bad(cmd, "--mutual-chap-user", mutualChapUser, "needs --mutual-chap-secret");
        }
        if (mutualChapUser != null) {
            if (chap == null) {
                throw bad(
                        cmd,
                        "--mutual-chap-user",
                        mutualChapUser,
                        "mutual CHAP needs --chap-user and --chap-secret too");
            }
            mutual = credentials(cmd, mutualChapUser, mutualChapSecret, "--mutual-chap-secret");
        }
        return new LoginOptions(
                initiatorName,
                chap,
                mutual,
                headerDigest == Digest.CRC32C,
                dataDigest == Digest.CRC32C);
    }

    private static ChapCredentials credentials(
            CommandSpec cmd, String user, String secret, String option) {
        try {
            return new ChapCredentials(user, secret);
        } catch (IllegalArgumentException e) {
            throw bad(cmd, option, option.endsWith("secret") ? "(hidden)" : user, e.getMessage());
        }
    }

    private CpuClock targetCpu(CommandSpec cmd) {
        if (targetPid != null && targetMetrics != null) {
            throw bad(
                    cmd,
                    "--target-pid",
                    targetPid,
                    "give --target-pid or --target-metrics, not both");
        }
        if (targetPid != null) {
            if (targetPid < 1) {
                throw bad(cmd, "--target-pid", targetPid, "give a process id above 0");
            }
            if (target == null) {
                throw bad(
                        cmd,
                        "--target-pid",
                        targetPid,
                        "needs --target: the embedded target's CPU is measured by its threads");
            }
            if (!Files.isReadable(Path.of("/proc", targetPid.toString(), "stat"))) {
                throw bad(cmd, "--target-pid", targetPid, "no such process (/proc/PID/stat)");
            }
            return CpuClock.pid(targetPid);
        }
        if (targetMetrics != null) {
            URI uri;
            try {
                uri = URI.create(targetMetrics);
            } catch (IllegalArgumentException e) {
                throw bad(cmd, "--target-metrics", targetMetrics, "not a URL");
            }
            if (uri.getScheme() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw bad(
                        cmd,
                        "--target-metrics",
                        targetMetrics,
                        "give an http:// or https:// URL, e.g. http://HOST:9260/metrics");
            }
            if (target == null) {
                throw bad(
                        cmd,
                        "--target-metrics",
                        targetMetrics,
                        "needs --target: the embedded target's CPU is measured by its threads");
            }
            CpuClock clock = CpuClock.metrics(uri);
            try {
                clock.seconds();
            } catch (Exception e) {
                throw bad(cmd, "--target-metrics", targetMetrics, String.valueOf(e.getMessage()));
            }
            return clock;
        }
        return null;
    }

    private static ParameterException bad(
            CommandSpec cmd, String option, Object value, String why) {
        return OptionChecks.bad(cmd, option, value, why);
    }
}
