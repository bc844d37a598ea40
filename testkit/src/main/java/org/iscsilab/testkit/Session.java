package org.iscsilab.testkit;

/**
 * A session logged in to the target (RFC 7143 §4.4): who opened it and through which portal.
 *
 * @param tsih the target session identifying handle the target gave it
 * @param initiator the initiator's iSCSI name
 * @param isid the initiator session ID, as 12 hex digits
 * @param target the target name it logged in to; null for a discovery session
 * @param portal the portal it came in through, as HOST:PORT
 * @param discovery true for a discovery session (SendTargets only)
 */
public record Session(
        int tsih, String initiator, String isid, String target, String portal, boolean discovery) {}
