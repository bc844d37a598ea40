package org.iscsilab.iscsi.initiator;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.iscsilab.iscsi.login.ChapCredentials;

/**
 * What the Java initiator asks for at login (RFC 7143 §13 keys), how it authenticates (SRP, CHAP,
 * or none) and how long it waits. A null {@code targetName} makes a discovery session.
 */
public record InitiatorConfig(
        String initiatorName,
        String targetName,
        long isid,
        boolean headerDigest,
        boolean dataDigest,
        int maxRecvDataSegmentLength,
        int maxBurstLength,
        int firstBurstLength,
        boolean immediateData,
        boolean initialR2T,
        Duration loginTimeout,
        Duration commandTimeout,
        ChapCredentials chap,
        ChapCredentials targetChap,
        SrpLogin srp,
        NopOutKeepalive keepalive,
        SessionKeys sessionKeys) {

    /**
     * Session-wide keys the initiator proposes beyond the defaults: how many connections it opens
     * (MaxConnections, RFC 7143 §13.2; as many as the target accepts, up to this) and the error
     * recovery level it asks for (ErrorRecoveryLevel, §13.20; the session runs at the lesser of it
     * and the target's).
     */
    public record SessionKeys(int maxConnections, int errorRecoveryLevel) {
        public static final SessionKeys ONE_CONNECTION = new SessionKeys(1, 0);

        public SessionKeys {
            if (maxConnections < 1 || maxConnections > 65535) {
                throw new IllegalArgumentException(
                        "MaxConnections is 1 to 65535 (RFC 7143 §13.2), not " + maxConnections);
            }
            if (errorRecoveryLevel < 0 || errorRecoveryLevel > 2) {
                throw new IllegalArgumentException(
                        "ErrorRecoveryLevel is 0 to 2 (RFC 7143 §13.20), not "
                                + errorRecoveryLevel);
            }
        }
    }

    /**
     * SRP login credentials (RFC 7143 §12.1.2): the user name, the password, and whether the target
     * must prove it knows the verifier too (TargetAuth=Yes).
     */
    public record SrpLogin(String user, String password, boolean targetAuth) {}

    public static final String DEFAULT_INITIATOR = "iqn.2026-01.org.iscsilab:initiator";

    public static InitiatorConfig normal(String targetName) {
        return new InitiatorConfig(
                DEFAULT_INITIATOR,
                targetName,
                randomIsid(),
                false,
                false,
                262144,
                1048576,
                262144,
                true,
                false,
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                null,
                null,
                null,
                NopOutKeepalive.OFF,
                SessionKeys.ONE_CONNECTION);
    }

    public static InitiatorConfig discovery() {
        return normal(null);
    }

    /** RFC 7143 §11.12.5: ISID type 10b (random), 46 random bits. */
    public static long randomIsid() {
        return (0x2L << 46) | (ThreadLocalRandom.current().nextLong() & ((1L << 46) - 1));
    }

    public InitiatorConfig withDigests(boolean header, boolean data) {
        return new InitiatorConfig(
                initiatorName,
                targetName,
                isid,
                header,
                data,
                maxRecvDataSegmentLength,
                maxBurstLength,
                firstBurstLength,
                immediateData,
                initialR2T,
                loginTimeout,
                commandTimeout,
                chap,
                targetChap,
                srp,
                keepalive,
                sessionKeys);
    }

    public InitiatorConfig withInitiatorName(String name) {
        return new InitiatorConfig(
                name,
                targetName,
                isid,
                headerDigest,
                dataDigest,
                maxRecvDataSegmentLength,
                maxBurstLength,
                firstBurstLength,
                immediateData,
                initialR2T,
                loginTimeout,
                commandTimeout,
                chap,
                targetChap,
                srp,
                keepalive,
                sessionKeys);
    }

    public InitiatorConfig withIsid(long newIsid) {
        return new InitiatorConfig(
                initiatorName,
                targetName,
                newIsid,
                headerDigest,
                dataDigest,
                maxRecvDataSegmentLength,
                maxBurstLength,
                firstBurstLength,
                immediateData,
                initialR2T,
                loginTimeout,
                commandTimeout,
                chap,
                targetChap,
                srp,
                keepalive,
                sessionKeys);
    }

    public InitiatorConfig withBursts(
            int maxRecvDataSegment,
            int maxBurst,
            int firstBurst,
            boolean immediate,
            boolean initialR2t) {
        return new InitiatorConfig(
                initiatorName,
                targetName,
                isid,
                headerDigest,
                dataDigest,
                maxRecvDataSegment,
                maxBurst,
                firstBurst,
                immediate,
                initialR2t,
                loginTimeout,
                commandTimeout,
                chap,
                targetChap,
                srp,
                keepalive,
                sessionKeys);
    }

    public InitiatorConfig withCommandTimeout(Duration timeout) {
        return new InitiatorConfig(
                initiatorName,
                targetName,
                isid,
                headerDigest,
                dataDigest,
                maxRecvDataSegmentLength,
                maxBurstLength,
                firstBurstLength,
                immediateData,
                initialR2T,
                loginTimeout,
                timeout,
                chap,
                targetChap,
                srp,
                keepalive,
                sessionKeys);
    }

    /**
     * Logs in with CHAP as {@code chap}; with {@code targetChap} (may be null) the target must also
     * prove its secret (mutual CHAP, RFC 7143 §12.1.3).
     */
    public InitiatorConfig withChap(
            ChapCredentials initiatorCredentials, ChapCredentials targetCredentials) {
        return new InitiatorConfig(
                initiatorName,
                targetName,
                isid,
                headerDigest,
                dataDigest,
                maxRecvDataSegmentLength,
                maxBurstLength,
                firstBurstLength,
                immediateData,
                initialR2T,
                loginTimeout,
                commandTimeout,
                initiatorCredentials,
                targetCredentials,
                srp,
                keepalive,
                sessionKeys);
    }

    /**
     * Pings the target with NOP-Outs when the connection has been quiet for the keepalive's
     * interval and drops the connection when a ping goes unanswered for its timeout, as
     * open-iscsi's noop_out_interval and noop_out_timeout do (ISCSI_ERR_NOP_TIMEDOUT): a target
     * that stops answering then ends the connection and a host's recovery takes over.
     */
    public InitiatorConfig withKeepalive(NopOutKeepalive nopOut) {
        return new InitiatorConfig(
                initiatorName,
                targetName,
                isid,
                headerDigest,
                dataDigest,
                maxRecvDataSegmentLength,
                maxBurstLength,
                firstBurstLength,
                immediateData,
                initialR2T,
                loginTimeout,
                commandTimeout,
                chap,
                targetChap,
                srp,
                nopOut,
                sessionKeys);
    }

    /** Logs in with SRP; offered before CHAP when both are configured. */
    public InitiatorConfig withSrp(String user, String password, boolean targetAuth) {
        return new InitiatorConfig(
                initiatorName,
                targetName,
                isid,
                headerDigest,
                dataDigest,
                maxRecvDataSegmentLength,
                maxBurstLength,
                firstBurstLength,
                immediateData,
                initialR2T,
                loginTimeout,
                commandTimeout,
                chap,
                targetChap,
                new SrpLogin(user, password, targetAuth),
                keepalive,
                sessionKeys);
    }

    /**
     * Opens up to {@code n} connections in the session (MC/S): the leading one, then as many more
     * as the target's MaxConnections allows; commands are spread over them.
     */
    public InitiatorConfig withConnections(int n) {
        return new InitiatorConfig(
                initiatorName,
                targetName,
                isid,
                headerDigest,
                dataDigest,
                maxRecvDataSegmentLength,
                maxBurstLength,
                firstBurstLength,
                immediateData,
                initialR2T,
                loginTimeout,
                commandTimeout,
                chap,
                targetChap,
                srp,
                keepalive,
                new SessionKeys(n, sessionKeys.errorRecoveryLevel()));
    }

    /**
     * Asks for ErrorRecoveryLevel {@code level}: at 1 the initiator recovers lost or damaged PDUs
     * with SNACK and by sending commands again, at 2 also a failed connection's tasks, with TASK
     * REASSIGN on another connection or a new one (RFC 7143 §7).
     */
    public InitiatorConfig withErrorRecoveryLevel(int level) {
        return new InitiatorConfig(
                initiatorName,
                targetName,
                isid,
                headerDigest,
                dataDigest,
                maxRecvDataSegmentLength,
                maxBurstLength,
                firstBurstLength,
                immediateData,
                initialR2T,
                loginTimeout,
                commandTimeout,
                chap,
                targetChap,
                srp,
                keepalive,
                new SessionKeys(sessionKeys.maxConnections(), level));
    }
}
