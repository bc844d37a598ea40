package org.iscsilab.host.scenario;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
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
