package org.iscsilab.iscsi.login;

/**
 * The operational parameters in force after login (RFC 7143 §13), as both ends agreed. {@code
 * maxRecvDataSegmentLength} is what this side may receive per PDU; {@code
 * peerMaxRecvDataSegmentLength} is what it may send.
 */
public record SessionParameters(
        boolean headerDigest,
        boolean dataDigest,
        int maxConnections,
        boolean initialR2T,
        boolean immediateData,
        int maxRecvDataSegmentLength,
        int peerMaxRecvDataSegmentLength,
        int maxBurstLength,
        int firstBurstLength,
        int defaultTime2Wait,
        int defaultTime2Retain,
        int maxOutstandingR2T,
        boolean dataPduInOrder,
        boolean dataSequenceInOrder,
        int errorRecoveryLevel) {

    public static final SessionParameters DEFAULTS =
            new SessionParameters(
                    false, false, 1, true, true, 8192, 8192, 262144, 65536, 2, 20, 1, true, true,
                    0);

    /**
     * Reads the results of a finished negotiation; FirstBurstLength never exceeds MaxBurstLength
     * (§13.14).
     */
    public static SessionParameters from(NegotiationResults n, int ownMaxRecvDataSegmentLength) {
        int maxBurst = num(n.result(Keys.MAX_BURST_LENGTH));
        String peerMrdsl = n.declared(Keys.MAX_RECV_DATA_SEGMENT_LENGTH);
        return new SessionParameters(
                n.result(Keys.HEADER_DIGEST).equals("CRC32C"),
                n.result(Keys.DATA_DIGEST).equals("CRC32C"),
                num(n.result(Keys.MAX_CONNECTIONS)),
                n.result(Keys.INITIAL_R2T).equals("Yes"),
                n.result(Keys.IMMEDIATE_DATA).equals("Yes"),
                ownMaxRecvDataSegmentLength,
                peerMrdsl == null ? 8192 : num(peerMrdsl),
                maxBurst,
                Math.min(maxBurst, num(n.result(Keys.FIRST_BURST_LENGTH))),
                num(n.result(Keys.DEFAULT_TIME_2_WAIT)),
                num(n.result(Keys.DEFAULT_TIME_2_RETAIN)),
                num(n.result(Keys.MAX_OUTSTANDING_R2T)),
                n.result(Keys.DATA_PDU_IN_ORDER).equals("Yes"),
                n.result(Keys.DATA_SEQUENCE_IN_ORDER).equals("Yes"),
                num(n.result(Keys.ERROR_RECOVERY_LEVEL)));
    }

    /**
     * The parameters of a connection that joins this session: the session-wide values of the
     * leading login (RFC 7143 §13: keys of session scope are negotiated there only) with the
     * connection's own digests and data segment lengths, which every login negotiates (§13.1,
     * §13.12).
     */
    public SessionParameters withConnectionKeys(SessionParameters connection) {
        return new SessionParameters(
                connection.headerDigest,
                connection.dataDigest,
                maxConnections,
                initialR2T,
                immediateData,
                connection.maxRecvDataSegmentLength,
                connection.peerMaxRecvDataSegmentLength,
                maxBurstLength,
                firstBurstLength,
                defaultTime2Wait,
                defaultTime2Retain,
                maxOutstandingR2T,
                dataPduInOrder,
                dataSequenceInOrder,
                errorRecoveryLevel);
    }

    private static int num(String v) {
        return (int) TextKey.parseNumber(v);
    }
}
