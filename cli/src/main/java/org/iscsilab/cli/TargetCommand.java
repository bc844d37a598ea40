package org.iscsilab.cli;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.iscsilab.core.LunSpec;
import org.iscsilab.core.fault.FaultRule;
import org.iscsilab.core.fault.FaultSpec;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.iscsi.fault.IscsiFaultActions;
import org.iscsilab.iscsi.initiator.IscsiUrl;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.iscsi.login.SrpCredentials;
import org.iscsilab.iscsi.node.InitiatorAccess;
import org.iscsilab.iscsi.node.IscsiNames;
import org.iscsilab.iscsi.node.NetworkIo;
import org.iscsilab.iscsi.node.SessionOffer;
import org.iscsilab.server.TargetRuntime;
import org.iscsilab.server.admin.AdminClient;
import org.iscsilab.server.config.ConfigFile;
import org.iscsilab.server.config.HostPort;
import org.iscsilab.server.config.TargetConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/** {@code iscsilab target}: runs an iSCSI target until interrupted. */
@Command(
        name = "target",
        mixinStandardHelpOptions = true,
        description = "Run an iSCSI target (RFC 7143) serving emulated LUNs.")
public final class TargetCommand implements Callable<Integer> {
    public static final String DEFAULT_IQN = "iqn.2026-01.org.iscsilab:target0";

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "A YAML file describing portals, targets, LUNs, CHAP, access lists, LUN masks and faults "
                            + "(see docs/target.md); flags given as well override it, and per-target flags apply to its first target. "
                            + "$${NAME} in the file is read from the environment.")
    Path config;

    @Option(
            names = "--portal",
            paramLabel = "HOST:PORT",
            description = "Address to listen on; repeatable (default 127.0.0.1:3260).")
    List<String> portals = new ArrayList<>();

    @Option(
            names = "--portal-group",
            paramLabel = "TAG=HOST:PORT[,HOST:PORT]",
            description =
                    "Portals of portal group TAG (1 to 65535), each a target port of its own (ALUA "
                            + "sees one per group); repeatable. --portal is portal group 1.")
    List<String> portalGroups = new ArrayList<>();

    @Option(
            names = "--advertise",
            paramLabel = "HOST:PORT",
            description =
                    "TargetAddress that SendTargets reports, for initiators behind NAT; repeatable "
                            + "(default: the bound portals).")
    List<String> advertise = new ArrayList<>();

    @Option(
            names = "--iqn",
            paramLabel = "NAME",
            description = "Target name (default ${DEFAULT-VALUE}).")
    String iqn = DEFAULT_IQN;

    @Option(names = "--alias", paramLabel = "TEXT", description = "TargetAlias reported at login.")
    String alias = "iscsilab";

    @Option(
            names = "--lun",
            paramLabel = "SPEC",
            description =
                    "A LUN, numbered in order from 0; repeatable. SPEC: "
                            + LunSpec.SYNTAX
                            + " (default "
                            + LunSpec.DEFAULT
                            + ").")
    List<String> luns = new ArrayList<>();

    @Option(
            names = "--nop-interval",
            paramLabel = "SECONDS",
            description =
                    "Seconds between target NOP-In pings; 0 turns them off (default ${DEFAULT-VALUE}).")
    int nopInterval = 10;

    @Option(
            names = "--max-sessions",
            paramLabel = "N",
            description = "Sessions at once; further logins get 'out of resources' (default 1024).")
    int maxSessions;

    @Option(
            names = {"--max-tcp-connections", "--max-connections"},
            paramLabel = "N",
            description =
                    "TCP connections at once; further ones are closed on accept (default 4096). "
                            + "Not the iSCSI key MaxConnections (connections per session); "
                            + "--max-connections is its old name.")
    int maxTcpConnections;

    @Option(
            names = "--max-connections-per-session",
            paramLabel = "N",
            description =
                    "The most connections one session may have: the iSCSI key MaxConnections "
                            + "(RFC 7143 §13.2) is negotiated up to this (default 4).")
    int maxConnectionsPerSession;

    @Option(
            names = "--error-recovery-level",
            paramLabel = "N",
            description =
                    "The highest ErrorRecoveryLevel sessions may negotiate, 0 to 2 (RFC 7143 "
                            + "§13.20): 1 adds SNACK and recovery R2Ts, 2 connection recovery "
                            + "with TASK REASSIGN (default 2).")
    int errorRecoveryLevel;

    @Option(
            names = "--default-time2wait",
            paramLabel = "SECONDS",
            description =
                    "DefaultTime2Wait offered: the least an initiator waits after a connection "
                            + "fails before it recovers it (RFC 7143 §13.15, default 2).")
    int defaultTime2Wait;

    @Option(
            names = "--default-time2retain",
            paramLabel = "SECONDS",
            description =
                    "DefaultTime2Retain offered: how long after that a failed connection's "
                            + "tasks wait for TASK REASSIGN; 0 keeps nothing (RFC 7143 §13.16, "
                            + "default 20).")
    int defaultTime2Retain;

    @Option(
            names = "--io-transport",
            paramLabel = "T",
            description =
                    "How the event loops wait for the network: auto (epoll where available, "
                            + "else nio), epoll, io_uring or nio (default auto).")
    String ioTransport;

    @Option(
            names = "--poll",
            description =
                    "The event loops spin instead of sleeping: lower latency at low queue depth "
                            + "for a whole core per loop, busy or idle (epoll or nio).")
    boolean poll;

    @Option(
            names = "--event-loops",
            paramLabel = "N",
            description = "Event loops serving connections (default 2 per core, 1 with --poll).")
    int eventLoops;

    @Option(
            names = "--login-timeout",
            paramLabel = "SECONDS",
            description =
                    "Time from connect to the end of login before the target hangs up (default 15).")
    int loginTimeout;

    @Option(
            names = "--idle-timeout",
            paramLabel = "SECONDS",
            description =
                    "Silence allowed while logging in or in a discovery session; 0 for none (default 60).")
    int idleTimeout;

    @Option(
            names = "--chap",
            paramLabel = "USER:SECRET",
            description =
                    "Require CHAP: initiators log in as USER with SECRET (at least 12 bytes). "
                            + "The secret may also come from the ISCSILAB_CHAP_SECRET environment variable with --chap USER.")
    String chap;

    @Option(
            names = "--mutual-chap",
            paramLabel = "USER:SECRET",
            description =
                    "Mutual CHAP: the target answers the initiator's challenge as USER with SECRET.")
    String mutualChap;

    @Option(
            names = "--srp",
            paramLabel = "USER:PASSWORD",
            description =
                    "Require SRP (RFC 7143 §12.1.2; with --chap too, either will do). With --srp USER the "
                            + "password comes from ISCSILAB_SRP_SECRET.")
    String srp;

    @Option(
            names = "--discovery-chap",
            paramLabel = "USER:SECRET",
            description =
                    "Require CHAP of discovery sessions too (with --discovery-chap USER the secret comes "
                            + "from ISCSILAB_DISCOVERY_CHAP_SECRET).")
    String discoveryChap;

    @Option(
            names = "--discovery-mutual-chap",
            paramLabel = "USER:SECRET",
            description = "Mutual CHAP for discovery sessions: the target's name and secret.")
    String discoveryMutualChap;

    @Option(
            names = "--fault",
            paramLabel = "RULE",
            description =
                    "A fault rule in force from the start, repeatable, e.g. medium-error,lun=0,lba=100-199 "
                            + "or busy,every=10 (see docs/faults-and-admin.md).")
    List<String> faults = new ArrayList<>();

    @Option(
            names = "--allow-initiator",
            paramLabel = "IQN",
            description =
                    "Only this InitiatorName may log in; repeatable (default: any). Others get authorization "
                            + "failure (0202h) and do not see the target in SendTargets.")
    List<String> allowInitiators = new ArrayList<>();

    @Option(
            names = "--allow-network",
            paramLabel = "CIDR",
            description =
                    "Only initiators connecting from this network may log in, e.g. 127.0.0.0/8; repeatable "
                            + "(default: any).")
    List<String> allowNetworks = new ArrayList<>();

    @Option(
            names = "--lun-mask",
            paramLabel = "IQN=LUN[,LUN...]",
            description =
                    "The initiator sees only these LUNs (the others look absent to it); repeatable.")
    List<String> lunMasks = new ArrayList<>();

    @Option(
            names = "--admin",
            paramLabel = "HOST:PORT",
            description =
                    "Address of the admin HTTP API (faults, events, LUNs, sessions), or 'off' "
                            + "(default ${DEFAULT-VALUE}; keep it on loopback).")
    String admin = AdminClient.DEFAULT_ADDRESS;

    @Option(
            names = "--log-level",
            paramLabel = "LEVEL",
            converter = LogLevelConverter.class,
            description = LogLevel.NAMES + " (default info).")
    LogLevel logLevel = LogLevel.INFO;

    /**
     * Read before picocli runs too (see {@link IscsilabCli}): the same parser, the same message.
     */
    static final class LogLevelConverter implements ITypeConverter<LogLevel> {
        @Override
        public LogLevel convert(String value) {
            try {
                return LogLevel.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** IQN=0,2 from --lun-mask. */
    static Map.Entry<String, List<Integer>> parseLunMask(String mask) {
        int eq = mask.lastIndexOf('=');
        if (eq <= 0 || eq == mask.length() - 1) {
            throw new IllegalArgumentException(
                    "--lun-mask "
                            + mask
                            + ": write IQN=LUN[,LUN...], e.g. "
                            + "iqn.2026-01.org.example:host=0,2");
        }
        String name = mask.substring(0, eq);
        IscsiNames.validate(name);
        List<Integer> visible = new ArrayList<>();
        for (String lun : mask.substring(eq + 1).split(",")) {
            try {
                visible.add(Integer.parseInt(lun.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "--lun-mask " + mask + ": '" + lun + "' is not a LUN number");
            }
        }
        return Map.entry(name, visible);
    }

    /** "TAG=HOST:PORT[,HOST:PORT]": the tag (1 to 65535) and its portals. */
    static Map.Entry<Integer, List<String>> parsePortalGroup(String text) {
        int eq = text.indexOf('=');
        if (eq < 1 || eq == text.length() - 1) {
            throw new IllegalArgumentException("use TAG=HOST:PORT[,HOST:PORT]");
        }
        int tag;
        try {
            tag = Integer.parseInt(text.substring(0, eq).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "the tag '" + text.substring(0, eq) + "' is not a number");
        }
        if (tag < 1 || tag > 0xFFFF) {
            throw new IllegalArgumentException(
                    "portal group tag " + tag + " is not between 1 and 65535");
        }
        List<String> portalsOfGroup = new ArrayList<>();
        for (String p : text.substring(eq + 1).split(",")) {
            if (p.isBlank()) {
                throw new IllegalArgumentException("an empty portal in the list");
            }
            portalsOfGroup.add(p.trim());
        }
        return Map.entry(tag, portalsOfGroup);
    }

    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** The name the command line gave an option by: its own, or the old name it keeps. */
    private String usedName(String option) {
        for (String name : spec.findOption(option).names()) {
            for (String arg : spec.commandLine().getParseResult().originalArgs()) {
                if (arg.equals(name) || arg.startsWith(name + "=")) {
                    return name;
                }
            }
        }
        return option;
    }

    /** The flags given on the command line, as a configuration that overrides the file's. */
    TargetConfig flags() {
        List<TargetConfig.Portal> portalList = null;
        if (given("--portal") || given("--advertise") || given("--portal-group")) {
            List<Map.Entry<String, Integer>> listen = new ArrayList<>();
            portals.forEach(p -> listen.add(Map.entry(p, 1)));
            for (String g : portalGroups) {
                Map.Entry<Integer, List<String>> group = parsePortalGroup(g);
                group.getValue().forEach(p -> listen.add(Map.entry(p, group.getKey())));
            }
            if (listen.isEmpty()) {
                listen.add(Map.entry(TargetConfig.DEFAULT_PORTAL, 1));
            }
            portalList = new ArrayList<>();
            for (int i = 0; i < Math.max(listen.size(), advertise.size()); i++) {
                Map.Entry<String, Integer> at = listen.get(Math.min(i, listen.size() - 1));
                portalList.add(
                        new TargetConfig.Portal(
                                at.getKey(),
                                i < advertise.size() ? advertise.get(i) : null,
                                at.getValue()));
            }
        }
        TargetConfig.Credentials incoming = credentials(chap, "ISCSILAB_CHAP_SECRET");
        TargetConfig.Credentials mutual = credentials(mutualChap, null);
        Map<String, List<Integer>> masks = null;
        if (!lunMasks.isEmpty()) {
            masks = new LinkedHashMap<>();
            for (String m : lunMasks) {
                Map.Entry<String, List<Integer>> e = parseLunMask(m);
                masks.put(e.getKey(), e.getValue());
            }
        }
        TargetConfig.Credentials srpLogin = credentials(srp, "ISCSILAB_SRP_SECRET");
        TargetConfig.Node node =
                new TargetConfig.Node(
                        given("--iqn") ? iqn : null,
                        given("--alias") ? alias : null,
                        luns.isEmpty() ? null : luns,
                        incoming,
                        mutual,
                        srpLogin,
                        allowInitiators.isEmpty() ? null : allowInitiators,
                        allowNetworks.isEmpty() ? null : allowNetworks,
                        masks);
        boolean anyNodeFlag =
                node.iqn() != null
                        || node.alias() != null
                        || node.luns() != null
                        || incoming != null
                        || mutual != null
                        || srpLogin != null
                        || node.allowInitiators() != null
                        || node.allowNetworks() != null
                        || masks != null;
        TargetConfig.Limits limits =
                new TargetConfig.Limits(
                        given("--max-sessions") ? maxSessions : null,
                        given("--max-tcp-connections") ? maxTcpConnections : null,
                        given("--login-timeout") ? loginTimeout : null,
                        given("--idle-timeout") ? idleTimeout : null);
        return new TargetConfig(
                portalList,
                given("--admin") ? admin : null,
                given("--nop-interval") ? nopInterval : null,
                limits,
                sessionFlags(),
                ioFlags(),
                credentials(discoveryChap, "ISCSILAB_DISCOVERY_CHAP_SECRET"),
                credentials(discoveryMutualChap, null),
                faults.isEmpty() ? null : faults,
                anyNodeFlag ? List.of(node) : null);
    }

    /** The session-wide keys the flags give, or null when none is given. */
    private TargetConfig.Session sessionFlags() {
        TargetConfig.Session s =
                new TargetConfig.Session(
                        given("--max-connections-per-session") ? maxConnectionsPerSession : null,
                        given("--error-recovery-level") ? errorRecoveryLevel : null,
                        given("--default-time2wait") ? defaultTime2Wait : null,
                        given("--default-time2retain") ? defaultTime2Retain : null);
        return s.equals(new TargetConfig.Session(null, null, null, null)) ? null : s;
    }

    /** How the event loops wait for the network, or null when no flag says. */
    private TargetConfig.Io ioFlags() {
        if (!given("--io-transport") && !given("--poll") && !given("--event-loops")) {
            return null;
        }
        return new TargetConfig.Io(
                given("--io-transport") ? ioTransport : null,
                given("--poll") ? poll : null,
                given("--event-loops") ? eventLoops : null);
    }

    /**
     * USER:SECRET, or USER alone with the secret in {@code secretVariable}; null when not given.
     */
    private static TargetConfig.Credentials credentials(String option, String secretVariable) {
        if (option == null) {
            return null;
        }
        String env = secretVariable == null ? null : System.getenv(secretVariable);
        ChapCredentials c =
                option.contains(":") || env == null
                        ? ChapCredentials.parse(option)
                        : new ChapCredentials(option, env);
        return new TargetConfig.Credentials(c.user(), c.secret());
    }

    @Override
    public Integer call() throws Exception {
        TargetConfig fromFile = config == null ? TargetConfig.empty() : loadConfig();
        validateFlags();
        TargetConfig cfg;
        try {
            cfg = fromFile.overriddenBy(flags()).withDefaults();
        } catch (IllegalArgumentException e) {
            throw new CliErrors.UsageException(e.getMessage());
        }
        TargetRuntime runtime;
        try {
            runtime = TargetRuntime.start(cfg);
        } catch (IllegalArgumentException e) {
            throw new CliErrors.UsageException(e.getMessage());
        } catch (BindException e) {
            // name the flag when the address came from one
            String flag = e.getMessage().startsWith("admin API") ? "--admin" : "--portal";
            throw new BindException(
                    given(flag) || config == null
                            ? flag + ": " + e.getMessage()
                            : e.getMessage() + " (from " + config + ")");
        }
        printBanner(cfg, runtime);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    System.out.println(
                                            "shutting down: asking initiators to log out, flushing LUNs");
                                    runtime.close();
                                    stopped.countDown();
                                },
                                "shutdown"));
        stopped.await();
        return CliErrors.SUCCESS;
    }

    private TargetConfig loadConfig() {
        try {
            return ConfigFile.load(config);
        } catch (IOException e) {
            throw new CliErrors.UsageException("--config " + config + ": " + CliErrors.describe(e));
        } catch (IllegalArgumentException e) {
            throw new CliErrors.UsageException(e.getMessage());
        }
    }

    /** Checks every flag's value before anything starts; an error names the flag and the value. */
    private void validateFlags() {
        portals.forEach(v -> check("--portal", v, x -> HostPort.parseResolved(x, 3260)));
        portalGroups.forEach(
                v ->
                        check(
                                "--portal-group",
                                v,
                                x ->
                                        parsePortalGroup(x)
                                                .getValue()
                                                .forEach(p -> HostPort.parseResolved(p, 3260))));
        advertise.forEach(v -> check("--advertise", v, x -> HostPort.parse(x, 0)));
        if (given("--iqn")) {
            check("--iqn", iqn, IscsiNames::validate);
        }
        check("--alias", alias, TargetCommand::checkAlias);
        luns.forEach(v -> check("--lun", v, x -> LunSpec.parse(x).requireUsable()));
        atLeast("--nop-interval", nopInterval, 0);
        if (given("--max-sessions")) {
            atLeast("--max-sessions", maxSessions, 1);
        }
        if (given("--max-tcp-connections")) {
            atLeast(usedName("--max-tcp-connections"), maxTcpConnections, 1);
        }
        checkOffer(
                "--max-connections-per-session",
                maxConnectionsPerSession,
                n -> SessionOffer.DEFAULT.withMaxConnections(n));
        checkOffer(
                "--error-recovery-level",
                errorRecoveryLevel,
                n -> SessionOffer.DEFAULT.withErrorRecoveryLevel(n));
        checkOffer(
                "--default-time2wait",
                defaultTime2Wait,
                n -> SessionOffer.DEFAULT.withTimes(n, SessionOffer.DEFAULT.defaultTime2Retain()));
        checkOffer(
                "--default-time2retain",
                defaultTime2Retain,
                n -> SessionOffer.DEFAULT.withTimes(SessionOffer.DEFAULT.defaultTime2Wait(), n));
        if (given("--io-transport")) {
            check("--io-transport", ioTransport, NetworkIo.Transport::parse);
        }
        if (given("--event-loops")) {
            check(
                    "--event-loops",
                    String.valueOf(eventLoops),
                    x -> new NetworkIo(NetworkIo.Transport.AUTO, false, Integer.parseInt(x)));
        }
        if (poll && given("--io-transport")) {
            check("--poll", ioTransport, x -> ioFlags().toNetworkIo());
        }
        if (given("--login-timeout")) {
            atLeast("--login-timeout", loginTimeout, 1);
        }
        if (given("--idle-timeout")) {
            atLeast("--idle-timeout", idleTimeout, 0);
        }
        checkCredentials("--chap", chap, "ISCSILAB_CHAP_SECRET", false);
        checkCredentials("--mutual-chap", mutualChap, null, false);
        checkCredentials("--srp", srp, "ISCSILAB_SRP_SECRET", true);
        checkCredentials(
                "--discovery-chap", discoveryChap, "ISCSILAB_DISCOVERY_CHAP_SECRET", false);
        checkCredentials("--discovery-mutual-chap", discoveryMutualChap, null, false);
        faults.forEach(
                v -> check("--fault", v, x -> FaultSpec.parse(x, IscsiFaultActions.ALL_LAYERS)));
        allowInitiators.forEach(v -> check("--allow-initiator", v, IscsiNames::validate));
        allowNetworks.forEach(
                v ->
                        check(
                                "--allow-network",
                                v,
                                x -> new InitiatorAccess().allowNetworks(List.of(x))));
        lunMasks.forEach(v -> check("--lun-mask", v, TargetCommand::parseLunMask));
        if (!admin.equalsIgnoreCase("off")) {
            check("--admin", admin, x -> HostPort.parseResolved(x, AdminClient.DEFAULT_PORT));
        }
        if (mutualChap != null && chap == null) {
            throw new ParameterException(spec.commandLine(), "--mutual-chap needs --chap");
        }
        if (discoveryMutualChap != null && discoveryChap == null) {
            throw new ParameterException(
                    spec.commandLine(), "--discovery-mutual-chap needs --discovery-chap");
        }
    }

    private void check(String flag, String value, Consumer<String> rule) {
        OptionChecks.check(
                spec,
                flag,
                value,
                v -> {
                    rule.accept(v);
                    return v;
                });
    }

    /** A session-offer flag, when given, makes a valid {@link SessionOffer}. */
    private void checkOffer(String flag, int value, IntConsumer offer) {
        if (given(flag)) {
            check(flag, String.valueOf(value), x -> offer.accept(Integer.parseInt(x)));
        }
    }

    private void atLeast(String flag, int value, int min) {
        if (value < min) {
            throw OptionChecks.bad(spec, flag, value, "give " + min + " or more");
        }
    }

    private void checkCredentials(
            String flag, String value, String secretVariable, boolean srpRules) {
        if (value == null) {
            return;
        }
        try {
            TargetConfig.Credentials c = credentials(value, secretVariable);
            if (srpRules) {
                SrpCredentials.requireUsable(c.user(), c.secret());
            } else {
                new ChapCredentials(c.user(), c.secret());
            }
        } catch (IllegalArgumentException e) {
            // the secret is not repeated in the message
            String shown =
                    value.contains(":") ? value.substring(0, value.indexOf(':')) + ":..." : value;
            throw new ParameterException(
                    spec.commandLine(), flag + " " + shown + ": " + e.getMessage());
        }
    }

    /**
     * A TargetAlias is UTF-8 text of at most 255 bytes without control characters (RFC 7143 §13.6).
     */
    static void checkAlias(String alias) {
        if (alias.codePoints().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("an alias may not contain control characters");
        }
        if (alias.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("an alias is at most 255 bytes");
        }
    }

    private static void printBanner(TargetConfig cfg, TargetRuntime runtime) {
        if (runtime.adminUrl() != null) {
            System.out.println("admin API " + runtime.adminUrl());
        }
        List<InetSocketAddress> reachable = runtime.server().reachableAddresses();
        for (int i = 0; i < runtime.devices().size(); i++) {
            String iqn = cfg.targets().get(i).iqn();
            System.out.println("iscsilab target " + iqn);
            for (LogicalUnit lu : runtime.devices().get(i).logicalUnits()) {
                System.out.println("  " + lu);
            }
            for (InetSocketAddress a : reachable) {
                System.out.println("listening on " + HostPort.format(a));
                System.out.println("  libiscsi:  " + IscsiUrl.of(a, iqn, 0));
                System.out.println(
                        "  open-iscsi: iscsiadm -m discovery -t sendtargets -p "
                                + HostPort.format(a));
            }
        }
        for (FaultRule rule : runtime.initialFaults()) {
            System.out.println("fault " + rule);
        }
        System.out.println("network I/O: " + runtime.server().settings().networkIo().describe());
        System.out.println("press Ctrl-C to stop");
        System.out.flush();
    }
}
