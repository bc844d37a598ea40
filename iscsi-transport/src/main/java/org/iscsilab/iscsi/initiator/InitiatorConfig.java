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
        NopOutKeepalive keepalive) {

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
                NopOutKeepalive.OFF);
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
                keepalive);
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
                keepalive);
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
                keepalive);
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
                keepalive);
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
                keepalive);
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
                keepalive);
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
                nopOut);
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
                keepalive);
    }
}
