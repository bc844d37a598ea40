package org.iscsilab.host.scenario;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.core.fault.FaultRule;
import org.iscsilab.iscsi.node.TargetSettings;
import org.iscsilab.server.EmbeddedTarget;
import org.iscsilab.server.admin.AdminApi;
import org.iscsilab.server.admin.AdminClient;
import org.iscsilab.server.config.TargetConfig;

/** A target started in this process with 64 MiB RAM LUNs. */
final class EmbeddedScenarioTarget implements ScenarioTarget {
    private final EmbeddedTarget target;

    EmbeddedScenarioTarget(String advertisedHost, int luns) throws Exception {
        String[] specs = new String[luns];
        Arrays.fill(specs, "ram:64M");
        this.target =
                EmbeddedTarget.startAdvertising(TargetSettings.defaults(), advertisedHost, specs);
    }

    EmbeddedScenarioTarget(TargetConfig config) throws Exception {
        this.target = EmbeddedTarget.start(config);
    }

    /**
     * Portal groups 1 and 2 on loopback, each its own target port group: 1 active/optimized and
     * preferred, 2 active/non-optimized; implicit and explicit ALUA, a 5 s implicit transition
     * time; {@code luns} 64 MiB RAM LUNs.
     */
    static TargetConfig twoPortalGroups(String advertisedHost, int luns) {
        String advertise = advertisedHost == null ? null : advertisedHost + ":0";
        List<String> specs = Collections.nCopies(luns, "ram:64M");
        return new TargetConfig(
                List.of(
                        new TargetConfig.Portal("127.0.0.1:0", advertise, 1),
                        new TargetConfig.Portal("127.0.0.1:0", advertise, 2)),
                "off",
                0,
                null,
                null,
                null,
                null,
                List.of(
                        new TargetConfig.Node(
                                EmbeddedTarget.IQN,
                                "two-portal-groups",
                                specs,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                new TargetConfig.Alua(
                                        "both",
                                        5,
                                        List.of(
                                                new TargetConfig.PortGroup(
                                                        1, List.of(1), "active-optimized", true),
                                                new TargetConfig.PortGroup(
                                                        2,
                                                        List.of(2),
                                                        "active-non-optimized",
                                                        null))))));
    }

    @Override
    public InetSocketAddress portal() {
        return target.address();
    }

    @Override
    public List<InetSocketAddress> portals() {
        return target.runtime().bound();
    }

    @Override
    public void setAccessState(int group, String state, Duration transition) {
        AdminApi.Response r =
                target.adminApi()
                        .handle(
                                "PATCH",
                                "/api/v1/alua/groups/" + group,
                                Map.of(),
                                AdminClient.accessStateBody(state, transition, false));
        if (r.status() >= 400) {
            throw new IllegalStateException("access state of group " + group + ": " + r.body());
        }
    }

    @Override
    public String iqn() {
        return target.iqn();
    }

    @Override
    public int addFault(String rule) {
        return target.faults().add(rule).id();
    }

    @Override
    public void removeFault(int id) {
        target.faults().remove(id);
    }

    /** The fault rules in force, as their specs. */
    List<String> faultRules() {
        return target.faults().list().stream().map(FaultRule::spec).toList();
    }

    @Override
    public long eventsRecorded() {
        return target.events().recorded();
    }

    @Override
    public List<EventLog.Event> eventsAfter(long sequence) {
        return target.events().events(e -> e.sequence() > sequence);
    }

    @Override
    public void close() {
        target.close();
    }
}
