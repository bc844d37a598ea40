package org.iscsilab.core.fault;

/**
 * What a fault rule's scope is matched against: where a command (or login, or PDU) came from and,
 * for SCSI commands, what it addresses. Unknown parts are null or -1.
 *
 * @param portal the portal the connection came in on, "host:port"
 * @param tsih the session's TSIH, -1 before login completes
 * @param cid the connection's ID in its session (iSCSI CID), -1 when not known
 * @param opcode the CDB's operation code, -1 when not a SCSI command
 * @param lba the first logical block the command addresses, -1 when it addresses none
 * @param blocks how many blocks from {@code lba}
 */
public record FaultContext(
        String portal,
        String target,
        String initiator,
        int tsih,
        int cid,
        int lun,
        int opcode,
        long lba,
        long blocks,
        long taskTag) {

    /** A context for a login, before any SCSI command or connection ID. */
    public static FaultContext connection(
            String portal, String target, String initiator, int tsih) {
        return connection(portal, target, initiator, tsih, -1);
    }

    /** A context for one connection of a session, before any SCSI command. */
    public static FaultContext connection(
            String portal, String target, String initiator, int tsih, int cid) {
        return new FaultContext(portal, target, initiator, tsih, cid, -1, -1, -1, 0, -1);
    }
}
