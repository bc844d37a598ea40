package org.iscsilab.host.scenario;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.iscsilab.host.iscsi.IscsiHostSession;
import org.iscsilab.host.iscsi.IscsiLld;
import org.iscsilab.host.mid.ScsiDisk;
import org.iscsilab.host.multipath.MultipathDevice;
import org.iscsilab.iscsi.initiator.InitiatorConfig;

/**
 * A host with one session through each of the first two portals of a target (its two portal groups)
 * and a multipath device over their LUN 0 disks, as iscsiadm logins and multipathd set it up: the
 * device queues I/O while no path is left (queue_if_no_path).
 */
record MultipathHost(List<IscsiHostSession> sessions, MultipathDevice device) {
    /** multipathd's polling interval, scaled down as the keepalive is. */
    static final Duration CHECKER = Duration.ofMillis(100);

    /**
     * Logs {@code login} in through each portal, scans, and builds the multipath device; each step
     * waits at most {@code limit}.
     */
    static MultipathHost attach(
            IscsiLld lld,
            ScenarioTarget target,
            InitiatorConfig login,
            Duration retry,
            Duration replacementTimeout,
            Duration limit)
            throws Exception {
        List<InetSocketAddress> portals = target.portals();
        if (portals.size() < 2) {
            throw new IllegalStateException(
                    "a multipath host needs a target reached through two portal groups; "
                            + target.iqn()
                            + " has one portal");
        }
        List<IscsiHostSession> sessions = new ArrayList<>();
        try {
            List<ScsiDisk> disks = new ArrayList<>();
            for (InetSocketAddress portal : portals.subList(0, 2)) {
                IscsiHostSession s =
                        lld.login(portal, login, retry, replacementTimeout)
                                .get(limit.toMillis(), TimeUnit.MILLISECONDS);
                sessions.add(s);
                s.scan();
                disks.add(s.disk(0));
            }
            return new MultipathHost(List.copyOf(sessions), MultipathDevice.of(disks, CHECKER, -1));
        } catch (Exception | Error e) {
            sessions.forEach(s -> s.recovery().close()); // no session outlives a failed attach
            throw e;
        }
    }

    /** The disk of path {@code i} (0: through portal group 1). */
    ScsiDisk disk(int i) {
        return sessions.get(i).disk(0);
    }
}
