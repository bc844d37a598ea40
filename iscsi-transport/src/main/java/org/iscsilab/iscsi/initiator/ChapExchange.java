package org.iscsilab.iscsi.initiator;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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
 * The initiator's side of CHAP (RFC 7143 §12.1.3): offer the algorithms (SHA-256 first), answer the
 * target's challenge with our name and response, and for mutual CHAP send our own challenge and
 * check the target's answer before the login may go on.
 */
final class ChapExchange implements AuthExchange {
    private enum State {
        OFFER_ALGORITHMS,
        ANSWER_CHALLENGE,
        CHECK_TARGET,
        DONE
    }

    private final ChapCredentials ours;
    private final ChapCredentials target;
    private State state = State.OFFER_ALGORITHMS;
    private ChapAlgorithm algorithm;
    private int identifier;
    private byte[] challenge;
    private byte[] targetsChallenge;

    ChapExchange(ChapCredentials ours, ChapCredentials target) {
        this.ours = ours;
        this.target = target;
    }

    @Override
    public AuthMethod method() {
        return AuthMethod.CHAP;
    }

    @Override
    public boolean done() {
        return state == State.DONE;
    }

    /**
     * The keys of the next Login Request for the target's answer, or null when CHAP has nothing
     * more to send (the login moves on).
     */
    @Override
    public List<Map.Entry<String, String>> next(List<Map.Entry<String, String>> answer)
            throws LoginException {
        Map<String, String> a = new HashMap<>();
        answer.forEach(e -> a.put(e.getKey(), e.getValue()));
        switch (state) {
            case OFFER_ALGORITHMS -> {
                state = State.ANSWER_CHALLENGE;
                return List.of(Map.entry(Keys.CHAP_A, "7,8,6,5"));
            }
            case ANSWER_CHALLENGE -> {
                algorithm = ChapAlgorithm.of(a.getOrDefault(Keys.CHAP_A, ""));
                if (algorithm == null
                        || !a.containsKey(Keys.CHAP_I)
                        || !a.containsKey(Keys.CHAP_C)) {
                    throw new IscsiInitiatorException(
                            "the target sent no usable CHAP challenge: " + a);
                }
                byte[] theirs = Chap.decode(a.get(Keys.CHAP_C));
                byte[] response =
                        Chap.response(
                                algorithm,
                                Integer.parseInt(a.get(Keys.CHAP_I)) & 0xFF,
                                Chap.secret(ours.secret()),
                                theirs);
                List<Map.Entry<String, String>> keys =
                        new ArrayList<>(
                                List.of(
                                        Map.entry(Keys.CHAP_N, ours.user()),
                                        Map.entry(Keys.CHAP_R, Chap.hex(response))));
                if (target != null) {
                    identifier = Chap.newIdentifier();
                    challenge = Chap.newChallenge(algorithm);
                    targetsChallenge = theirs;
                    keys.add(Map.entry(Keys.CHAP_I, Integer.toString(identifier)));
                    keys.add(Map.entry(Keys.CHAP_C, Chap.hex(challenge)));
                    state = State.CHECK_TARGET;
                } else {
                    state = State.DONE;
                }
                return keys;
            }
            case CHECK_TARGET -> {
                byte[] expected =
                        Chap.response(
                                algorithm, identifier, Chap.secret(target.secret()), challenge);
                String r = a.get(Keys.CHAP_R);
                if (!target.user().equals(a.get(Keys.CHAP_N))
                        || r == null
                        || !MessageDigest.isEqual(expected, Chap.decode(r))
                        || Arrays.equals(challenge, targetsChallenge)) {
                    throw new LoginException(
                            LoginStatus.AUTHENTICATION_FAILURE,
                            "the target failed mutual CHAP authentication");
                }
                state = State.DONE;
                return null;
            }
            default -> {
                return null;
            }
        }
    }
}
