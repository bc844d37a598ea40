package org.iscsilab.host.scenario;

import java.net.InetSocketAddress;
import java.util.List;
import org.iscsilab.target.fault.EventLog;

/**
 * The iscsilab target a scenario runs against: where to log in, and its fault rules and event
 * log — in this process (an embedded target) or over its admin HTTP API.
 */
public interface ScenarioTarget extends AutoCloseable {
    InetSocketAddress portal();

    String iqn();

    /** Adds a fault rule; returns its id. */
    int addFault(String rule) throws Exception;

    void removeFault(int id) throws Exception;


    /** Events recorded so far (the sequence number of the newest). */
    long eventsRecorded() throws Exception;

    /** The events after a sequence number, oldest first. */
    List<EventLog.Event> eventsAfter(long sequence) throws Exception;

    @Override
    void close();
}
