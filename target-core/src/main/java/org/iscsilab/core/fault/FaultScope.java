package org.iscsilab.core.fault;

import java.net.InetSocketAddress;
import java.util.Set;

/**
 * Which commands or connections a rule applies to: every part given must match; an absent part
 * (null, -1, empty) matches anything. An LBA range matches a command whose blocks overlap it.
 */
public record FaultScope(
        String portal,
        String target,
        String initiator,
        int tsih,
        int cid,
        int lun,
        Set<Integer> opcodes,
        long lbaFirst,
        long lbaLast) {
    public static final FaultScope ANY =
            new FaultScope(null, null, null, -1, -1, -1, Set.of(), -1, -1);

    public FaultScope {
        opcodes = Set.copyOf(opcodes);
    }

    /**
     * The name a {@code portal=} scope gives a portal: the IP address and port a connection's local
     * address shows, "127.0.0.1:3260".
     */
    public static String portalName(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    public boolean matches(FaultContext c) {
        if (portal != null && !portal.equals(c.portal())) {
            return false;
        }
        if (target != null && !target.equals(c.target())) {
            return false;
        }
        if (initiator != null && !initiator.equals(c.initiator())) {
            return false;
        }
        if (tsih >= 0 && tsih != c.tsih()) {
            return false;
        }
        if (cid >= 0 && cid != c.cid()) {
            return false;
        }
        if (lun >= 0 && lun != c.lun()) {
            return false;
        }
        if (!opcodes.isEmpty() && !opcodes.contains(c.opcode())) {
            return false;
        }
        if (lbaFirst >= 0) {
            if (c.lba() < 0) {
                return false;
            }
            long last = c.lba() + Math.max(1, c.blocks()) - 1;
            return c.lba() <= lbaLast && last >= lbaFirst;
        }
        return true;
    }

    /** True when the scope names SCSI command properties, so it cannot match a login or a PDU. */
    public boolean commandsOnly() {
        return lun >= 0 || !opcodes.isEmpty() || lbaFirst >= 0;
    }
}
