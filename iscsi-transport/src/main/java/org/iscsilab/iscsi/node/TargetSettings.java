package org.iscsilab.iscsi.node;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.iscsilab.iscsi.login.Keys;

/**
 * The target's side of negotiation and its protocol timers. Values follow RFC 7143 §13 key names;
 * the target answers initiators' offers from these. Also how its event loops wait for the network.
 */
public record TargetSettings(
        int maxRecvDataSegmentLength,
        int maxBurstLength,
        int firstBurstLength,
        int maxOutstandingR2T,
        boolean initialR2T,
        boolean immediateData,
        int commandWindow,
        Duration nopInInterval,
        Duration nopInTimeout,
        TargetLimits limits,
        SessionOffer sessionOffer,
        NetworkIo networkIo) {

    public static TargetSettings defaults() {
        return new TargetSettings(
                262144,
                1048576,
                262144,
                8,
                false,
                true,
                128,
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                TargetLimits.defaults(),
                SessionOffer.DEFAULT,
                NetworkIo.DEFAULT);
    }

    public TargetSettings withNopIn(Duration interval, Duration timeout) {
        return new TargetSettings(
                maxRecvDataSegmentLength,
                maxBurstLength,
                firstBurstLength,
                maxOutstandingR2T,
                initialR2T,
                immediateData,
                commandWindow,
                interval,
                timeout,
                limits,
                sessionOffer,
                networkIo);
    }

    public TargetSettings withLimits(TargetLimits l) {
        return new TargetSettings(
                maxRecvDataSegmentLength,
                maxBurstLength,
                firstBurstLength,
                maxOutstandingR2T,
                initialR2T,
                immediateData,
                commandWindow,
                nopInInterval,
                nopInTimeout,
                l,
                sessionOffer,
                networkIo);
    }

    /** What sessions may negotiate of MaxConnections, ErrorRecoveryLevel and the recovery times. */
    public TargetSettings withSessionOffer(SessionOffer offer) {
        return new TargetSettings(
                maxRecvDataSegmentLength,
                maxBurstLength,
                firstBurstLength,
                maxOutstandingR2T,
                initialR2T,
                immediateData,
                commandWindow,
                nopInInterval,
                nopInTimeout,
                limits,
                offer,
                networkIo);
    }

    /** How the event loops wait for the network: transport, polling, how many loops. */
    public TargetSettings withNetworkIo(NetworkIo io) {
        return new TargetSettings(
                maxRecvDataSegmentLength,
                maxBurstLength,
                firstBurstLength,
                maxOutstandingR2T,
                initialR2T,
                immediateData,
                commandWindow,
                nopInInterval,
                nopInTimeout,
                limits,
                sessionOffer,
                io);
    }

    /** This side's values for the negotiation engine. */
    public Map<String, String> negotiationValues() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Keys.HEADER_DIGEST, "CRC32C,None");
        m.put(Keys.DATA_DIGEST, "CRC32C,None");
        m.put(Keys.MAX_CONNECTIONS, Integer.toString(sessionOffer.maxConnections()));
        m.put(Keys.INITIAL_R2T, initialR2T ? "Yes" : "No");
        m.put(Keys.IMMEDIATE_DATA, immediateData ? "Yes" : "No");
        m.put(Keys.MAX_BURST_LENGTH, Integer.toString(maxBurstLength));
        m.put(Keys.FIRST_BURST_LENGTH, Integer.toString(firstBurstLength));
        m.put(Keys.DEFAULT_TIME_2_WAIT, Integer.toString(sessionOffer.defaultTime2Wait()));
        m.put(Keys.DEFAULT_TIME_2_RETAIN, Integer.toString(sessionOffer.defaultTime2Retain()));
        m.put(Keys.MAX_OUTSTANDING_R2T, Integer.toString(maxOutstandingR2T));
        m.put(Keys.DATA_PDU_IN_ORDER, "Yes");
        m.put(Keys.DATA_SEQUENCE_IN_ORDER, "Yes");
        m.put(Keys.ERROR_RECOVERY_LEVEL, Integer.toString(sessionOffer.errorRecoveryLevel()));
        m.put(Keys.AUTH_METHOD, "None");
        m.put(Keys.TASK_REPORTING, "RFC3720");
        m.put(Keys.ISCSI_PROTOCOL_LEVEL, "1");
        return m;
    }
}
