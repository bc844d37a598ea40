package org.iscsilab.core.nexus;

/**
 * An I_T nexus (SAM-5 §4.6.4): the initiator port and target port that a command travels between.
 * For iSCSI the port names are "InitiatorName,i,0xISID" and "TargetName,t,0xTPGT" (RFC 7143
 * §4.4.2), but this module treats them as opaque names.
 */
public record ItNexus(String initiatorPort, String targetPort) {
    public ItNexus {
        if (initiatorPort == null
                || initiatorPort.isBlank()
                || targetPort == null
                || targetPort.isBlank()) {
            throw new IllegalArgumentException(
                    "an I_T nexus needs an initiator port and a target port name");
        }
    }

    @Override
    public String toString() {
        return initiatorPort + " -> " + targetPort;
    }

    /**
     * The RELATIVE TARGET PORT IDENTIFIER of the target port (SPC-5 §7.8.6.4): for iSCSI the target
     * portal group tag in the port name "TargetName,t,0xTPGT" (RFC 7143 §4.4.2); 1 for other names.
     */
    public int relativeTargetPort() {
        int at = targetPort.lastIndexOf(",t,0x");
        if (at < 0) {
            return 1;
        }
        try {
            return Integer.parseInt(targetPort.substring(at + 5), 16);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** The same initiator port through the target port with this relative identifier. */
    public ItNexus withTargetPort(int relativeTargetPort) {
        int at = targetPort.lastIndexOf(",t,0x");
        String name = at < 0 ? targetPort : targetPort.substring(0, at);
        return new ItNexus(initiatorPort, name + ",t,0x" + Integer.toHexString(relativeTargetPort));
    }
}
