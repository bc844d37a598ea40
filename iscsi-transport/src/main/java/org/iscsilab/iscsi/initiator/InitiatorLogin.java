package org.iscsilab.iscsi.initiator;

import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iscsilab.iscsi.login.Keys;
import org.iscsilab.iscsi.login.LoginException;
import org.iscsilab.iscsi.login.Offer;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.login.TextParameters;
import org.iscsilab.iscsi.pdu.LoginResponse;

/**
 * The initiator's side of a login (RFC 7143 §6): what it offers in each stage, the authentication
 * exchange of the method the target picks (§12), and the stage transitions, one Login Response at a
 * time. It decides what to send next; the session sends it.
 */
final class InitiatorLogin {
    private static final List<String> SECURITY_KEYS =
            List.of(Keys.INITIATOR_NAME, Keys.TARGET_NAME, Keys.SESSION_TYPE, Keys.AUTH_METHOD);
    private static final List<String> OPERATIONAL_KEYS =
            List.of(
                    Keys.HEADER_DIGEST,
                    Keys.DATA_DIGEST,
                    Keys.MAX_CONNECTIONS,
                    Keys.INITIAL_R2T,
                    Keys.IMMEDIATE_DATA,
                    Keys.MAX_RECV_DATA_SEGMENT_LENGTH,
                    Keys.MAX_BURST_LENGTH,
                    Keys.FIRST_BURST_LENGTH,
                    Keys.DEFAULT_TIME_2_WAIT,
                    Keys.DEFAULT_TIME_2_RETAIN,
                    Keys.MAX_OUTSTANDING_R2T,
                    Keys.DATA_PDU_IN_ORDER,
                    Keys.DATA_SEQUENCE_IN_ORDER,
                    Keys.ERROR_RECOVERY_LEVEL);

    /** What to do after a Login Response. */
    sealed interface Step {}

    /**
     * Send a Login Request: T bit, CSG, NSG and its keys; {@code keys} empty asks for more text.
     */
    record Request(
            boolean transit, int currentStage, int nextStage, List<Map.Entry<String, String>> keys)
            implements Step {}

    /** The login reached the full feature phase. */
    record Complete(int tsih) implements Step {}

    /** What a connection that joins a session negotiates: its own keys only (RFC 7143 §13). */
    private static final List<String> CONNECTION_KEYS =
            List.of(Keys.HEADER_DIGEST, Keys.DATA_DIGEST, Keys.MAX_RECV_DATA_SEGMENT_LENGTH);

    private final InitiatorConfig config;

    /** This login adds a connection to a session: leading-only keys are not offered. */
    private final boolean joining;

    private final Offer offer = new Offer();

    /** The authentication methods offered, in order of preference; empty for AuthMethod=None. */
    private final List<AuthExchange> auths = new ArrayList<>();

    private final ByteArrayOutputStream text = new ByteArrayOutputStream();
    private AuthExchange chosen;
    private int stage;
    private String targetAlias;
    private int portalGroupTag = -1;

    InitiatorLogin(InitiatorConfig config, boolean joining) {
        this.config = config;
        this.joining = joining;
        offer.put(Keys.INITIATOR_NAME, config.initiatorName())
                .put(Keys.SESSION_TYPE, config.targetName() == null ? "Discovery" : "Normal")
                .put(Keys.HEADER_DIGEST, config.headerDigest() ? "CRC32C,None" : "None")
                .put(Keys.DATA_DIGEST, config.dataDigest() ? "CRC32C,None" : "None")
                .put(Keys.MAX_CONNECTIONS, Integer.toString(config.sessionKeys().maxConnections()))
                .put(Keys.INITIAL_R2T, config.initialR2T() ? "Yes" : "No")
                .put(Keys.IMMEDIATE_DATA, config.immediateData() ? "Yes" : "No")
                .put(
                        Keys.MAX_RECV_DATA_SEGMENT_LENGTH,
                        Integer.toString(config.maxRecvDataSegmentLength()))
                .put(Keys.MAX_BURST_LENGTH, Integer.toString(config.maxBurstLength()))
                .put(Keys.FIRST_BURST_LENGTH, Integer.toString(config.firstBurstLength()))
                // recover as soon as the target allows (the result is the greater, §13.15)
                .put(Keys.DEFAULT_TIME_2_WAIT, "0")
                // time to recover a failed connection's tasks: only at ErrorRecoveryLevel 2
                .put(
                        Keys.DEFAULT_TIME_2_RETAIN,
                        config.sessionKeys().errorRecoveryLevel() == 2 ? "20" : "0")
                .put(Keys.MAX_OUTSTANDING_R2T, "1")
                .put(Keys.DATA_PDU_IN_ORDER, "Yes")
                .put(Keys.DATA_SEQUENCE_IN_ORDER, "Yes")
                .put(
                        Keys.ERROR_RECOVERY_LEVEL,
                        Integer.toString(config.sessionKeys().errorRecoveryLevel()));
        if (config.targetName() != null) {
            offer.put(Keys.TARGET_NAME, config.targetName());
        }
        if (config.srp() != null) {
            auths.add(new SrpExchange(config.srp()));
        }
        if (config.chap() != null) {
            auths.add(new ChapExchange(config.chap(), config.targetChap()));
        }
        // AuthMethod=...: the configured methods in order of preference, or None
        offer.put(
                Keys.AUTH_METHOD,
                auths.isEmpty()
                        ? "None"
                        : String.join(
                                ",", auths.stream().map(a -> a.method().keyValue()).toList()));
    }

    /**
     * The first Login Request: the security stage's keys, straight to the operational stage without
     * authentication.
     */
    Request start() {
        stage = 0;
        return new Request(auths.isEmpty(), 0, auths.isEmpty() ? 1 : 0, offer.pairs(SECURITY_KEYS));
    }

    /** The stage the login is in (the CSG of the next request). */
    int stage() {
        return stage;
    }

    private boolean ownedByAuth(String key) {
        return auths.stream().anyMatch(x -> x.method().owns(key));
    }

    /** The next step after an accepted (status class 0) Login Response. */
    Step next(LoginResponse r) throws LoginException {
        text.writeBytes(ByteBufUtil.getBytes(r.data()));
        if (r.continueFlag()) {
            // the target's text continues (RFC 7143 §6.1): ask for the rest with an empty request
            return new Request(false, stage, 0, List.of());
        }
        List<Map.Entry<String, String>> answers;
        try {
            answers = TextParameters.decode(text.toByteArray());
        } catch (TextParameters.TextFormatException e) {
            throw new IscsiInitiatorException(
                    "malformed login text from target: " + e.getMessage());
        } finally {
            text.reset();
        }
        List<Map.Entry<String, String>> authAnswers =
                answers.stream().filter(a -> ownedByAuth(a.getKey())).toList();
        answers = answers.stream().filter(a -> !ownedByAuth(a.getKey())).toList();
        offer.accept(answers);
        if (stage == 0 && !auths.isEmpty()) {
            // RFC 7143 §12.1: once the target picks a method, its exchange runs to the end
            String method =
                    answers.stream()
                            .filter(a -> a.getKey().equals(Keys.AUTH_METHOD))
                            .map(Map.Entry::getValue)
                            .findFirst()
                            .orElse(null);
            if (method != null) {
                chosen =
                        auths.stream()
                                .filter(x -> x.method().keyValue().equals(method))
                                .findFirst()
                                .orElseThrow(
                                        () ->
                                                new IscsiInitiatorException(
                                                        "the target chose AuthMethod="
                                                                + method
                                                                + ", not offered"));
            }
            if (chosen == null) {
                throw new IscsiInitiatorException("the target did not agree on an AuthMethod");
            }
            List<Map.Entry<String, String>> reply = chosen.next(authAnswers);
            if (reply != null) {
                return new Request(chosen.done(), 0, chosen.done() ? 1 : 0, reply);
            }
        }
        for (Map.Entry<String, String> a : answers) {
            if (a.getKey().equals(Keys.TARGET_ALIAS)) {
                targetAlias = a.getValue();
            } else if (a.getKey().equals(Keys.TARGET_PORTAL_GROUP_TAG)) {
                portalGroupTag = Integer.parseInt(a.getValue());
            }
        }
        if (!r.transit()) {
            // the target is not ready to move on: ask again for the same transition
            return new Request(true, stage, stage == 0 ? 1 : 3, List.of());
        }
        if (r.nextStage() == 1) {
            stage = 1;
            return new Request(
                    true, 1, 3, offer.pairs(joining ? CONNECTION_KEYS : OPERATIONAL_KEYS));
        }
        if (r.nextStage() == 3) {
            stage = 3;
            return new Complete(r.tsih());
        }
        throw new IscsiInitiatorException("the target moved the login to stage " + r.nextStage());
    }

    /** The session's parameters, once complete. */
    SessionParameters parameters() {
        return SessionParameters.from(offer, config.maxRecvDataSegmentLength());
    }

    String targetAlias() {
        return targetAlias;
    }

    int portalGroupTag() {
        return portalGroupTag;
    }
}
