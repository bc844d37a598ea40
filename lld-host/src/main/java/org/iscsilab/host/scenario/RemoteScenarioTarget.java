package org.iscsilab.host.scenario;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.iscsi.initiator.IscsiUrl;
import org.iscsilab.server.admin.AdminClient;

/**
 * A running iscsilab target reached over the network: logins go to its portal, fault rules and the
 * event log through its admin HTTP API. The scenario uses its LUN 0.
 */
final class RemoteScenarioTarget implements ScenarioTarget {
    private final IscsiUrl url;
    private final AdminClient admin;

    /**
     * {@code url} is iscsi://HOST[:PORT]/IQN[/LUN]; {@code admin} is HOST:PORT of the admin API.
     */
    RemoteScenarioTarget(String url, String admin) {
        try {
            this.url = IscsiUrl.parse(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--target: " + e.getMessage());
        }
        this.admin = new AdminClient(admin);
    }

    @Override
    public InetSocketAddress portal() {
        return url.portal();
    }

    @Override
    public String iqn() {
        return url.iqn();
    }

    @Override
    public int addFault(String rule) throws Exception {
        return admin.addFault(rule);
    }

    @Override
    public void removeFault(int id) throws Exception {
        admin.removeFault(id);
    }

    @Override
    public void setAccessState(int group, String state, Duration transition) throws Exception {
        admin.setAccessState(group, state, transition, false);
    }

    @Override
    public long eventsRecorded() throws Exception {
        return admin.events(Map.of("limit", "0")).recorded();
    }

    @Override
    public List<EventLog.Event> eventsAfter(long sequence) throws Exception {
        return admin.events(Map.of("since", Long.toString(sequence), "limit", "100000")).events();
    }

    @Override
    public void close() {
        // the remote target keeps running
    }
}
