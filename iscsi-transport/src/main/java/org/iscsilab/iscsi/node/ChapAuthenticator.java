package org.iscsilab.iscsi.node;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.iscsilab.iscsi.login.AuthMethod;
import org.iscsilab.iscsi.login.Chap;
import org.iscsilab.iscsi.login.ChapAlgorithm;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.iscsi.login.Keys;
import org.iscsilab.iscsi.login.LoginException;
import org.iscsilab.iscsi.login.LoginStatus;

/**
 * The target's side of CHAP for one login (RFC 7143 §12.1.3, RFC 1994): pick the algorithm from the
 * initiator's CHAP_A list, send an identifier and a random challenge, check the initiator's name
 * and response, and for mutual CHAP answer the initiator's own challenge. A reflected challenge
 * (the initiator sending ours back) is refused, as the RFC requires.
 */
final class ChapAuthenticator implements Authenticator {
    private enum State {
        AWAIT_ALGORITHM,
        AWAIT_RESPONSE,
        DONE
    }

    private final ChapCredentials initiator;
    private final ChapCredentials mutual;
    private State state = State.AWAIT_ALGORITHM;
    private ChapAlgorithm algorithm;
    private int identifier;
    private byte[] challenge;

    /**
     * @param mutual the target's own name and secret for mutual CHAP, or null
     */
    ChapAuthenticator(ChapCredentials initiator, ChapCredentials mutual) {
        this.initiator = initiator;
        this.mutual = mutual;
    }

    @Override
    public AuthMethod method() {
        return AuthMethod.CHAP;
    }

    @Override
    public boolean done() {
        return state == State.DONE;
    }

    @Override
    public List<Map.Entry<String, String>> process(Map<String, String> keys) throws LoginException {
        List<Map.Entry<String, String>> answers = new ArrayList<>();
        switch (state) {
            case AWAIT_ALGORITHM -> {
                String offered = keys.get(Keys.CHAP_A);
                if (offered == null) {
                    throw failure("CHAP_A is missing");
                }
                for (String code : offered.split(",")) {
                    algorithm = ChapAlgorithm.of(code);
                    if (algorithm != null) {
                        break;
                    }
                }
                if (algorithm == null) {
                    throw failure(
                            "none of CHAP_A="
                                    + offered
                                    + " is supported (5 MD5, 6 SHA-1, 7 SHA-256, 8 SHA3-256)");
                }
                identifier = Chap.newIdentifier();
                challenge = Chap.newChallenge(algorithm);
                answers.add(Map.entry(Keys.CHAP_A, Integer.toString(algorithm.code())));
                answers.add(Map.entry(Keys.CHAP_I, Integer.toString(identifier)));
                answers.add(Map.entry(Keys.CHAP_C, Chap.hex(challenge)));
                state = State.AWAIT_RESPONSE;
            }
            case AWAIT_RESPONSE -> {
                String name = keys.get(Keys.CHAP_N);
                String response = keys.get(Keys.CHAP_R);
                if (name == null || response == null) {
                    throw failure("CHAP_N and CHAP_R are needed");
                }
                byte[] expected =
                        Chap.response(
                                algorithm, identifier, Chap.secret(initiator.secret()), challenge);
                byte[] got;
                try {
                    got = Chap.decode(response);
                } catch (IllegalArgumentException e) {
                    throw failure("CHAP_R is not a binary value");
                }
                if (!name.equals(initiator.user()) || !MessageDigest.isEqual(expected, got)) {
                    throw failure("wrong CHAP name or response for " + name);
                }
                String peerId = keys.get(Keys.CHAP_I);
                String peerChallenge = keys.get(Keys.CHAP_C);
                if (peerId != null || peerChallenge != null) {
                    answers.addAll(mutualAnswer(peerId, peerChallenge));
                }
                state = State.DONE;
            }
            default ->
                    throw new LoginException(
                            LoginStatus.INITIATOR_ERROR, "CHAP keys after authentication ended");
        }
        return answers;
    }

    /** Mutual CHAP: the target proves its own secret against the initiator's challenge. */
    private List<Map.Entry<String, String>> mutualAnswer(String peerId, String peerChallenge)
            throws LoginException {
        if (mutual == null) {
            throw failure("mutual CHAP asked for but not configured on this target");
        }
        if (peerId == null || peerChallenge == null) {
            throw failure("mutual CHAP needs both CHAP_I and CHAP_C");
        }
        byte[] theirs;
        int id;
        try {
            theirs = Chap.decode(peerChallenge);
            id = Integer.parseInt(peerId.strip());
        } catch (IllegalArgumentException e) {
            throw failure("bad CHAP_I or CHAP_C");
        }
        if (Arrays.equals(
                theirs, challenge)) { // RFC 7143 §12.1.3: a reflected challenge is an attack
            throw failure("the initiator sent the target's own challenge back");
        }
        byte[] r = Chap.response(algorithm, id & 0xFF, Chap.secret(mutual.secret()), theirs);
        return List.of(Map.entry(Keys.CHAP_N, mutual.user()), Map.entry(Keys.CHAP_R, Chap.hex(r)));
    }

    private static LoginException failure(String why) {
        return new LoginException(LoginStatus.AUTHENTICATION_FAILURE, why);
    }
}
