package org.iscsilab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option of every command refuses a bad value with exit code 2 and one line that names the
 * option and the value, before anything starts. The cases are checked against picocli's command
 * model: an option without a case here fails {@link #everyOptionHasABadValueCase}.
 */
class CommandLineRefusalsTest {
    /** "command path option" to a bad value. */
    static final Map<String, String> BAD = new LinkedHashMap<>();

    static {
        List<String> clients =
                List.of(
                        "fault add",
                        "fault list",
                        "fault remove",
                        "fault clear",
                        "status",
                        "events",
                        "lun list",
                        "lun add",
                        "lun remove",
                        "lun resize",
                        "lun read-only",
                        "lun eject",
                        "lun load",
                        "lun reset",
                        "alua show",
                        "alua set");
        for (String c : clients) {
            BAD.put(c + " --admin", "--admin=127.0.0.1:99999");
            BAD.put(c + " --config", "--config=/nonexistent/target.yaml");
        }
        for (String c : List.of("fault list", "lun list", "events", "status", "alua show")) {
            BAD.put(c + " --json", "--json=maybe");
        }
        for (String c : clients) {
            if (c.startsWith("lun ") || c.startsWith("alua ")) {
                BAD.put(c + " --target", "--target=not-an-iqn");
            }
        }
        BAD.put("lun add --lun", "--lun=16384");
        BAD.put("events --type", "--type=FAUL");
        BAD.put("events --lun", "--lun=-1");
        BAD.put("events --opcode", "--opcode=0x1FF");
        BAD.put("events --initiator", "--initiator=not an iqn");
        BAD.put("events --limit", "--limit=-1");
        // target
        BAD.put("target --config", "--config=/nonexistent/target.yaml");
        BAD.put("target --portal", "--portal=no-such-host.invalid:3260");
        BAD.put("target --advertise", "--advertise=[::1");
        BAD.put("target --portal-group", "--portal-group=0=127.0.0.1:3260");
        BAD.put("target --iqn", "--iqn=not-an-iqn");
        BAD.put("target --alias", "--alias=a\u0001b");
        BAD.put("target --lun", "--lun=ram:0");
        BAD.put("target --nop-interval", "--nop-interval=-1");
        BAD.put("target --max-sessions", "--max-sessions=0");
        BAD.put("target --max-tcp-connections", "--max-tcp-connections=0");
        BAD.put("target --max-connections-per-session", "--max-connections-per-session=65536");
        BAD.put("target --error-recovery-level", "--error-recovery-level=3");
        BAD.put("target --default-time2wait", "--default-time2wait=3601");
        BAD.put("target --default-time2retain", "--default-time2retain=-1");
        BAD.put("target --io-transport", "--io-transport=kqueue");
        BAD.put("target --poll", "--poll=maybe");
        BAD.put("target --event-loops", "--event-loops=-1");
        BAD.put("target --login-timeout", "--login-timeout=0");
        BAD.put("target --idle-timeout", "--idle-timeout=-1");
        BAD.put("target --chap", "--chap=user:short");
        BAD.put("target --mutual-chap", "--mutual-chap=target:short");
        BAD.put("target --srp", "--srp=user:");
        BAD.put("target --discovery-chap", "--discovery-chap=finder:short");
        BAD.put("target --discovery-mutual-chap", "--discovery-mutual-chap=t:short");
        BAD.put("target --fault", "--fault=medium-error,lba=10-");
        BAD.put("target --allow-initiator", "--allow-initiator=not-an-iqn");
        BAD.put("target --allow-network", "--allow-network=10.0.0.0/33");
        BAD.put("target --lun-mask", "--lun-mask=iqn.2026-01.org.example:host=zero");
        BAD.put("target --admin", "--admin=no-such-host.invalid:9260");
        BAD.put("target --log-level", "--log-level=loud");
        // bench
        BAD.put("bench --target", "--target=http://127.0.0.1:3260/x/0");
        BAD.put("bench --lun", "--lun=ram:0");
        BAD.put("bench --workload", "--workload=sideways");
        BAD.put("bench --bs", "--bs=1000");
        BAD.put("bench --depth", "--depth=0");
        BAD.put("bench --sessions", "--sessions=0");
        BAD.put("bench --duration", "--duration=0");
        BAD.put("bench --ramp", "--ramp=-1");
        BAD.put("bench --mix", "--mix=101");
        BAD.put("bench --verify", "--verify=maybe");
        BAD.put("bench --seed", "--seed=x");
        BAD.put("bench --json", "--json=/nonexistent/dir/out.json");
        BAD.put("bench --report", "--report=/nonexistent/dir/report.html");
        BAD.put("bench --job", "--job=/nonexistent/jobs.yaml");
        BAD.put("bench --percentiles", "--percentiles=50,101");
        BAD.put("bench --distribution", "--distribution=zipf:0");
        BAD.put("bench --rate", "--rate=-5");
        BAD.put("bench --chap-user", "--chap-user=alice");
        BAD.put("bench --chap-secret", "--chap-secret=short");
        BAD.put("bench --mutual-chap-user", "--mutual-chap-user=target");
        BAD.put("bench --mutual-chap-secret", "--mutual-chap-secret=target-secret-1");
        BAD.put("bench --header-digest", "--header-digest=CRC64");
        BAD.put("bench --data-digest", "--data-digest=md5");
        BAD.put("bench --initiator-name", "--initiator-name=not-an-iqn");
        BAD.put("bench --target-pid", "--target-pid=0");
        BAD.put("bench --target-metrics", "--target-metrics=ftp://127.0.0.1/metrics");
        // scenario
        BAD.put("scenario --policy", "--policy=v9");
        BAD.put("scenario --limit", "--limit=0");
        BAD.put("scenario --bart-visits-cancel", "--bart-visits-cancel=maybe");
        BAD.put("scenario --json", "--json=/nonexistent/dir/out.json");
        BAD.put("scenario --trace", "--trace=/nonexistent/dir/trace.json");
        BAD.put("scenario --target", "--target=iscsi://127.0.0.1:3260");
        BAD.put("scenario --admin", "--admin=127.0.0.1:99999");
        BAD.put("scenario --host", "--host=bsd");
        BAD.put("scenario --kernel", "--kernel=2.6");
        BAD.put("scenario --kernel-image", "--kernel-image=/nonexistent/bzImage");
        BAD.put("scenario --stall", "--stall=0");
        BAD.put("scenario --console", "--console=maybe");
        BAD.put("scenario --expect", "--expect=SUCCESS");
        BAD.put("alua set --transition", "--transition=5x");
        BAD.put("alua set --fails", "--fails=maybe");
        BAD.put("alua set --preferred", "--preferred=maybe");
    }

    /** Positional arguments the commands need, so only the option under test is wrong. */
    private static final Map<String, List<String>> POSITIONALS =
            Map.ofEntries(
                    Map.entry("fault add", List.of("busy")),
                    Map.entry("fault remove", List.of("1")),
                    Map.entry("lun add", List.of("ram:1M")),
                    Map.entry("lun remove", List.of("0")),
                    Map.entry("lun resize", List.of("0", "2M")),
                    Map.entry("lun read-only", List.of("0", "true")),
                    Map.entry("lun eject", List.of("0")),
                    Map.entry("lun load", List.of("0")),
                    Map.entry("lun reset", List.of("0")),
                    Map.entry("alua set", List.of("1", "standby")),
                    Map.entry("scenario", List.of("B")),
                    Map.entry("completion", List.of("bash")));

    /** Exit code, stdout and stderr of one command line. */
    record Run(int code, String out, String err) {}

    static Run run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                IscsilabCli.run(
                        new PrintWriter(out, true),
                        new PrintWriter(err, true),
                        args.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void everyOptionHasABadValueCase() {
        List<String> missing = new ArrayList<>();
        leaves(
                IscsilabCli.commandLine(false),
                "",
                (path, o) -> {
                    if (!BAD.containsKey(path + " " + o.longestName())) {
                        missing.add(path + " " + o.longestName());
                    }
                });
        assertTrue(missing.isEmpty(), "options without a bad-value case: " + missing);
    }

    @TestFactory
    Stream<DynamicTest> aBadValueIsRefusedWithExitCode2AndOneLineNamingIt() {
        List<DynamicTest> tests = new ArrayList<>();
        BAD.forEach(
                (key, arg) ->
                        tests.add(
                                DynamicTest.dynamicTest(
                                        key + " " + arg,
                                        () -> {
                                            String path = key.substring(0, key.lastIndexOf(" --"));
                                            String option =
                                                    key.substring(key.lastIndexOf(" --") + 1);
                                            List<String> args =
                                                    new ArrayList<>(List.of(path.split(" ")));
                                            args.addAll(POSITIONALS.getOrDefault(path, List.of()));
                                            args.add(arg);
                                            Run r = run(args);
                                            assertEquals(
                                                    CliErrors.USAGE,
                                                    r.code(),
                                                    "exit code of "
                                                            + args
                                                            + "; stderr: "
                                                            + r.err());
                                            String[] lines = r.err().strip().split("\\R");
                                            assertEquals(1, lines.length, "one line: " + r.err());
                                            String line = lines[0];
                                            String value = arg.substring(arg.indexOf('=') + 1);
                                            assertTrue(
                                                    line.contains(option) || line.contains(value),
                                                    "'"
                                                            + line
                                                            + "' names neither "
                                                            + option
                                                            + " nor "
                                                            + value);
                                            assertFalse(
                                                    line.contains("Exception")
                                                            || line.contains("\tat "),
                                                    "a stack trace or class: " + line);
                                            assertFalse(
                                                    line.endsWith(": null") || line.isBlank(),
                                                    "an empty message: " + line);
                                        })));
        return tests.stream();
    }

    private interface OptionVisitor {
        void visit(String path, OptionSpec option);
    }

    private static void leaves(CommandLine cmd, String path, OptionVisitor visitor) {
        if (cmd.getSubcommands().isEmpty()) {
            for (OptionSpec o : cmd.getCommandSpec().options()) {
                if (!o.usageHelp() && !o.versionHelp()) {
                    visitor.visit(path, o);
                }
            }
            return;
        }
        cmd.getSubcommands()
                .forEach((name, sub) -> leaves(sub, (path + " " + name).trim(), visitor));
    }
}
