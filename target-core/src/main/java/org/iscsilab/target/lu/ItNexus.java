package org.iscsilab.target.lu;

/**
 * An I_T nexus (SAM-5 §4.6.4): the initiator port and target port that a command travels
 * between. For iSCSI the port names are "InitiatorName,i,0xISID" and "TargetName,t,0xTPGT"
 * (RFC 7143 §4.4.2), but this module treats them as opaque names.
 */
public record ItNexus(String initiatorPort, String targetPort) {
    public ItNexus {
        if (initiatorPort == null || initiatorPort.isBlank() || targetPort == null || targetPort.isBlank()) {
            throw new IllegalArgumentException("an I_T nexus needs an initiator port and a target port name");
        }
    }

    @Override
    public String toString() {
        return initiatorPort + " -> " + targetPort;
    }
}
