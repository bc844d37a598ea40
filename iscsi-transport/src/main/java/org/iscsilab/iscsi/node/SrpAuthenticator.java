package org.iscsilab.iscsi.node;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iscsilab.iscsi.login.AuthMethod;
import org.iscsilab.iscsi.login.Chap;
import org.iscsilab.iscsi.login.Keys;
import org.iscsilab.iscsi.login.LoginException;
import org.iscsilab.iscsi.login.LoginStatus;
import org.iscsilab.iscsi.login.Srp;
import org.iscsilab.iscsi.login.SrpCredentials;
import org.iscsilab.iscsi.login.SrpGroup;

/**
 * The target's side of SRP for one login (RFC 7143 §12.1.2 with RFC 2945's SRP-SHA1):
 *
 * <pre>
 *   I: Keys.SRP_U=U TargetAuth=Yes|No      T: Keys.SRP_GROUP=G1,G2,... SRP_s=s
 *   I: Keys.SRP_A=A Keys.SRP_GROUP=G            T: Keys.SRP_B=B
 *   I: Keys.SRP_M=M                        T: Keys.SRP_HM=H(A|M|K)   (only for TargetAuth=Yes)
 * </pre>
 *
 * An unknown user is an authorization failure, anything else that fails an authentication failure,
 * as the RFC says.
 */
final class SrpAuthenticator implements Authenticator {
    private enum State {
        AWAIT_USER,
        AWAIT_A,
        AWAIT_M,
        DONE
    }

    private final SrpCredentials credentials;
    private State state = State.AWAIT_USER;
    private boolean targetAuth;
    private SrpGroup group;
    private BigInteger bigA;
    private BigInteger bigB;
    private BigInteger b;

    SrpAuthenticator(SrpCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public AuthMethod method() {
        return AuthMethod.SRP;
    }

    @Override
    public boolean done() {
        return state == State.DONE;
    }

    @Override
    public List<Map.Entry<String, String>> process(Map<String, String> keys) throws LoginException {
        List<Map.Entry<String, String>> answers = new ArrayList<>();
        switch (state) {
            case AWAIT_USER -> {
                String user = keys.get(Keys.SRP_U);
                String wantsProof = keys.getOrDefault(Keys.TARGET_AUTH, "No");
                if (user == null || !(wantsProof.equals("Yes") || wantsProof.equals("No"))) {
                    throw failure("Keys.SRP_U and TargetAuth=Yes|No are needed");
                }
                if (!user.equals(credentials.user())) {
                    throw new LoginException(
                            LoginStatus.AUTHORIZATION_FAILURE, "no SRP user " + user);
                }
                targetAuth = wantsProof.equals("Yes");
                StringBuilder groups = new StringBuilder();
                for (SrpGroup g : SrpGroup.values()) {
                    groups.append(groups.length() == 0 ? "" : ",").append(g.keyValue());
                }
                answers.add(Map.entry(Keys.SRP_GROUP, groups.toString()));
                answers.add(Map.entry(Keys.SRP_S, Chap.hex(credentials.salt())));
                state = State.AWAIT_A;
            }
            case AWAIT_A -> {
                group =
                        keys.get(Keys.SRP_GROUP) == null
                                ? null
                                : SrpGroup.of(keys.get(Keys.SRP_GROUP));
                if (group == null) {
                    throw failure(
                            "Keys.SRP_GROUP must be one of the groups offered, not "
                                    + keys.get(Keys.SRP_GROUP));
                }
                bigA = number(keys.get(Keys.SRP_A), "Keys.SRP_A");
                if (bigA.mod(group.n()).signum()
                        == 0) { // RFC 2945 §3: the host aborts if A % N is zero
                    throw failure("Keys.SRP_A % N is zero");
                }
                BigInteger v = credentials.verifier(group);
                do {
                    b = Srp.newPrivateExponent();
                    bigB = Srp.serverPublic(group, v, b);
                } while (Srp.u(bigB).signum() == 0); // u = 0 would let A alone decide S
                answers.add(Map.entry(Keys.SRP_B, Chap.hex(Srp.bytes(bigB))));
                state = State.AWAIT_M;
            }
            case AWAIT_M -> {
                byte[] m;
                try {
                    m = Chap.decode(required(keys, Keys.SRP_M));
                } catch (IllegalArgumentException e) {
                    throw failure("Keys.SRP_M is not a binary value");
                }
                BigInteger s = Srp.serverSecret(group, bigA, bigB, credentials.verifier(group), b);
                byte[] k = Srp.sessionKey(s);
                byte[] expected =
                        Srp.clientProof(
                                group, credentials.user(), credentials.salt(), bigA, bigB, k);
                if (!MessageDigest.isEqual(expected, m)) {
                    throw failure("wrong SRP proof for " + credentials.user());
                }
                if (targetAuth) {
                    answers.add(Map.entry(Keys.SRP_HM, Chap.hex(Srp.serverProof(bigA, m, k))));
                }
                state = State.DONE;
            }
            default ->
                    throw new LoginException(
                            LoginStatus.INITIATOR_ERROR, "SRP keys after authentication ended");
        }
        return answers;
    }

    private static String required(Map<String, String> keys, String key) throws LoginException {
        String v = keys.get(key);
        if (v == null) {
            throw failure(key + " is missing");
        }
        return v;
    }

    private static BigInteger number(String value, String key) throws LoginException {
        if (value == null) {
            throw failure(key + " is missing");
        }
        try {
            return new BigInteger(1, Chap.decode(value));
        } catch (IllegalArgumentException e) {
            throw failure(key + " is not a binary value");
        }
    }

    private static LoginException failure(String why) {
        return new LoginException(LoginStatus.AUTHENTICATION_FAILURE, why);
    }
}
