package org.iscsilab.host.scenario;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.iscsi.node.TargetSettings;
import org.iscsilab.server.EmbeddedTarget;

/** A target started in this process with 64 MiB RAM LUNs. */
final class EmbeddedScenarioTarget implements ScenarioTarget {
    private final EmbeddedTarget target;

    EmbeddedScenarioTarget(String advertisedHost, int luns) throws Exception {
        String[] specs = new String[luns];
        Arrays.fill(specs, "ram:64M");
        this.target =
                EmbeddedTarget.startAdvertising(TargetSettings.defaults(), advertisedHost, specs);
    }

    @Override
    public InetSocketAddress portal() {
        return target.address();
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
