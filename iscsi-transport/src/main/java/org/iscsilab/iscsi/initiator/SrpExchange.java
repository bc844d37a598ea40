package org.iscsilab.iscsi.initiator;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.iscsilab.iscsi.login.AuthMethod;
import org.iscsilab.iscsi.login.Chap;
import org.iscsilab.iscsi.login.Keys;
import org.iscsilab.iscsi.login.LoginException;
import org.iscsilab.iscsi.login.LoginStatus;
import org.iscsilab.iscsi.login.Srp;
import org.iscsilab.iscsi.login.SrpGroup;

/**
 * The initiator's side of SRP (RFC 7143 §12.1.2, RFC 2945 SRP-SHA1): name the user, take the
 * strongest group the target offers, send A, prove the password with M, and with TargetAuth=Yes
 * check the target's H(A | M | K) before the login may go on. Groups smaller than SRP-1536 are
 * never chosen; a B that is zero modulo N or gives u = 0 ends the login (RFC 2945 §3).
 */
final class SrpExchange implements AuthExchange {
    private enum State {
        SEND_USER,
        SEND_A,
        SEND_M,
        CHECK_TARGET,
        DONE
    }

    private final InitiatorConfig.SrpLogin login;
    private State state = State.SEND_USER;
    private SrpGroup group;
    private byte[] salt;
    private BigInteger a;
    private BigInteger bigA;
    private byte[] m;
    private byte[] k;

    SrpExchange(InitiatorConfig.SrpLogin login) {
        this.login = login;
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
    public List<Map.Entry<String, String>> next(List<Map.Entry<String, String>> answer)
            throws LoginException {
        Map<String, String> in = new HashMap<>();
        answer.forEach(e -> in.put(e.getKey(), e.getValue()));
        switch (state) {
            case SEND_USER -> {
                state = State.SEND_A;
                return List.of(
                        Map.entry(Keys.SRP_U, login.user()),
                        Map.entry(Keys.TARGET_AUTH, login.targetAuth() ? "Yes" : "No"));
            }
            case SEND_A -> {
                String offered = in.get(Keys.SRP_GROUP);
                String s = in.get(Keys.SRP_S);
                if (offered == null || s == null) {
                    throw new IscsiInitiatorException(
                            "the target sent no SRP_GROUP and SRP_s: " + in);
                }
                for (String name : offered.split(",")) {
                    SrpGroup g = SrpGroup.of(name);
                    if (g != null && (group == null || g.ordinal() > group.ordinal())) {
                        group = g;
                    }
                }
                if (group == null) {
                    throw new LoginException(
                            LoginStatus.AUTHENTICATION_FAILURE,
                            "no SRP group of " + offered + " is known here (SRP-1536 and larger)");
                }
                salt = Chap.decode(s);
                a = Srp.newPrivateExponent();
                bigA = Srp.clientPublic(group, a);
                state = State.SEND_M;
                return List.of(
                        Map.entry(Keys.SRP_A, Chap.hex(Srp.bytes(bigA))),
                        Map.entry(Keys.SRP_GROUP, group.keyValue()));
            }
            case SEND_M -> {
                String b = in.get(Keys.SRP_B);
                if (b == null) {
                    throw new IscsiInitiatorException("the target sent no SRP_B: " + in);
                }
                BigInteger bigB = new BigInteger(1, Chap.decode(b));
                if (bigB.mod(group.n()).signum() == 0 || Srp.u(bigB).signum() == 0) {
                    throw new LoginException(
                            LoginStatus.AUTHENTICATION_FAILURE, "the target's SRP_B is unsafe");
                }
                BigInteger x =
                        Srp.x(
                                salt,
                                login.user(),
                                login.password().getBytes(StandardCharsets.UTF_8));
                k = Srp.sessionKey(Srp.clientSecret(group, bigB, x, a));
                m = Srp.clientProof(group, login.user(), salt, bigA, bigB, k);
                state = login.targetAuth() ? State.CHECK_TARGET : State.DONE;
                return List.of(Map.entry(Keys.SRP_M, Chap.hex(m)));
            }
            case CHECK_TARGET -> {
                String hm = in.get(Keys.SRP_HM);
                if (hm == null
                        || !MessageDigest.isEqual(Srp.serverProof(bigA, m, k), Chap.decode(hm))) {
                    throw new LoginException(
                            LoginStatus.AUTHENTICATION_FAILURE,
                            "the target failed SRP authentication (SRP_HM)");
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
