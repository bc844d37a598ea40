package org.iscsilab.iscsi.cli;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.iscsilab.iscsi.admin.AdminApi;
import org.iscsilab.iscsi.admin.AdminServer;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.iscsi.target.IscsiNames;
import org.iscsilab.iscsi.target.IscsiTarget;
import org.iscsilab.iscsi.target.IscsiTargetServer;
import org.iscsilab.iscsi.target.TargetSettings;
import org.iscsilab.target.ScsiTargetDevice;
import org.iscsilab.target.lu.LogicalUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code iscsilab target}: runs an iSCSI target until interrupted. */
@Command(name = "target", mixinStandardHelpOptions = true,
        description = "Run an iSCSI target (RFC 7143) serving emulated LUNs.")
public final class TargetCommand implements Callable<Integer> {
    public static final String DEFAULT_IQN = "iqn.2026-01.org.iscsilab:target0";

    @Option(names = "--portal", paramLabel = "HOST:PORT",
            description = "Address to listen on; repeatable (default 127.0.0.1:3260).")
    List<String> portals = new ArrayList<>();

    @Option(names = "--advertise", paramLabel = "HOST:PORT",
            description = "TargetAddress that SendTargets reports, for initiators behind NAT; repeatable "
                    + "(default: the bound portals).")
    List<String> advertise = new ArrayList<>();

    @Option(names = "--iqn", paramLabel = "NAME", description = "Target name (default ${DEFAULT-VALUE}).")
    String iqn = DEFAULT_IQN;

    @Option(names = "--alias", paramLabel = "TEXT", description = "TargetAlias reported at login.")
    String alias = "iscsilab";

    @Option(names = "--lun", paramLabel = "SPEC",
            description = "A LUN, numbered in order from 0; repeatable. SPEC: ram:SIZE | null:SIZE | "
                    + "file:PATH[:SIZE], then ,block=512|4096 and ,ro (default ram:1G).")
    List<String> luns = new ArrayList<>();

    @Option(names = "--nop-interval", paramLabel = "SECONDS",
            description = "Seconds between target NOP-In pings; 0 turns them off (default ${DEFAULT-VALUE}).")
    int nopInterval = 10;

    @Option(names = "--chap", paramLabel = "USER:SECRET",
            description = "Require CHAP: initiators log in as USER with SECRET (at least 12 bytes). "
                    + "The secret may also come from the ISCSILAB_CHAP_SECRET environment variable with --chap USER.")
    String chap;

    @Option(names = "--mutual-chap", paramLabel = "USER:SECRET",
            description = "Mutual CHAP: the target answers the initiator's challenge as USER with SECRET.")
    String mutualChap;

    @Option(names = "--fault", paramLabel = "RULE",
            description = "A fault rule in force from the start, repeatable, e.g. medium-error,lun=0,lba=100-199 "
                    + "or busy,every=10 (see README: Fault injection).")
    List<String> faults = new ArrayList<>();

    @Option(names = "--admin", paramLabel = "HOST:PORT",
            description = "Address of the admin HTTP API (faults, events, LUNs, sessions), or 'off' "
                    + "(default ${DEFAULT-VALUE}; keep it on loopback).")
    String admin = AdminClient.DEFAULT_ADDRESS;

    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = "error, warn, info, debug or trace (default ${DEFAULT-VALUE}).")
    String logLevel = "info";

    @Override
    public Integer call() throws Exception {
        IscsiNames.validate(iqn);
        List<InetSocketAddress> portalAddrs = new ArrayList<>();
        for (String p : portals.isEmpty() ? List.of("127.0.0.1:3260") : portals) {
            portalAddrs.add(HostPort.parse(p, IscsiTargetServer.DEFAULT_PORT));
        }
        List<InetSocketAddress> advertised = new ArrayList<>();
        for (String a : advertise) {
            advertised.add(HostPort.parse(a, IscsiTargetServer.DEFAULT_PORT));
        }
        List<LunSpec> specs = new ArrayList<>();
        for (String l : luns.isEmpty() ? List.of("ram:1G") : luns) {
            specs.add(LunSpec.parse(l));
        }
        if (nopInterval < 0) {
            throw new IllegalArgumentException("--nop-interval must be 0 or more seconds");
        }
        ExecutorService io = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "lun-io");
            t.setDaemon(true);
            return t;
        });
        ScsiTargetDevice device = new ScsiTargetDevice(iqn);
        for (int i = 0; i < specs.size(); i++) {
            device.addLogicalUnit(specs.get(i).create(i, iqn, io));
        }
        TargetSettings settings = TargetSettings.defaults().withNopIn(Duration.ofSeconds(nopInterval),
                Duration.ofSeconds(Math.max(30, nopInterval * 3L)));
        IscsiTargetServer server = new IscsiTargetServer(settings, portalAddrs, advertised, 1);
        for (String rule : faults) {
            System.out.println("fault " + server.faults().add(rule));
        }
        IscsiTarget node = new IscsiTarget(iqn, alias, device);
        if (chap != null) {
            String env = System.getenv("ISCSILAB_CHAP_SECRET");
            ChapCredentials incoming = chap.contains(":") || env == null ? ChapCredentials.parse(chap)
                    : new ChapCredentials(chap, env);
            node.requireChap(incoming, mutualChap == null ? null : ChapCredentials.parse(mutualChap));
        } else if (mutualChap != null) {
            throw new IllegalArgumentException("--mutual-chap needs --chap");
        }
        server.addTarget(node);
        List<InetSocketAddress> bound = server.start();
        AdminServer adminServer = null;
        if (!admin.equalsIgnoreCase("off")) {
            adminServer = new AdminServer(new AdminApi(server,
                    (lun, target, spec) -> LunSpec.parse(spec).create(lun, target, io)));
            InetSocketAddress a = adminServer.start(HostPort.parse(admin, AdminClient.DEFAULT_PORT));
            System.out.println("admin API http://" + a.getHostString() + ":" + a.getPort() + "/api/v1/");
        }
        AdminServer adminToClose = adminServer;
        printBanner(device, bound);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("shutting down: asking initiators to log out, flushing LUNs");
            if (adminToClose != null) {
                adminToClose.close();
            }
            server.shutdown(Duration.ofSeconds(3));
            device.close();
            io.shutdown();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }

    private void printBanner(ScsiTargetDevice device, List<InetSocketAddress> bound) {
        System.out.println("iscsilab target " + iqn);
        for (LogicalUnit lu : device.logicalUnits()) {
            System.out.println("  " + lu);
        }
        for (InetSocketAddress a : bound) {
            String host = a.getHostString().contains(":") ? "[" + a.getHostString() + "]" : a.getHostString();
            System.out.println("listening on " + host + ":" + a.getPort());
            System.out.println("  libiscsi:  iscsi://" + host + ":" + a.getPort() + "/" + iqn + "/0");
            System.out.println("  open-iscsi: iscsiadm -m discovery -t sendtargets -p " + host + ":" + a.getPort());
        }
        System.out.println("press Ctrl-C to stop");
        System.out.flush();
    }
}
