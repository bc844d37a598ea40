package org.iscsilab.iscsi.initiator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.iscsilab.iscsi.login.Chap;
import org.iscsilab.iscsi.login.LoginException;
import org.iscsilab.iscsi.login.LoginStatus;
import org.iscsilab.iscsi.login.Srp;
import org.iscsilab.iscsi.login.SrpGroup;
import org.junit.jupiter.api.Test;

/**
 * The initiator's SRP steps against a target played by hand, including one that cannot prove
 * itself.
 */
class SrpExchangeTest {
    private static final byte[] SALT = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};

    @SuppressWarnings("unchecked") // an array of a generic type can only be made raw
    private static Map<String, String> map(List<Map.Entry<String, String>> keys) {
        return Map.ofEntries(keys.toArray(Map.Entry[]::new));
    }

    /** Runs the exchange up to SRP_M; returns the value the honest target would send as SRP_HM. */
    private static byte[] upToProof(SrpExchange ex, String offeredGroups) throws LoginException {
        assertEquals(Map.of("SRP_U", "bob", "TargetAuth", "Yes"), map(ex.next(List.of())));
        Map<String, String> sent =
                map(
                        ex.next(
                                List.of(
                                        Map.entry("SRP_GROUP", offeredGroups),
                                        Map.entry("SRP_s", Chap.hex(SALT)))));
        SrpGroup group = SrpGroup.of(sent.get("SRP_GROUP"));
        BigInteger bigA = new BigInteger(1, Chap.decode(sent.get("SRP_A")));
        BigInteger v =
                Srp.verifier(
                        group,
                        Srp.x(SALT, "bob", "bobs-password-1".getBytes(StandardCharsets.UTF_8)));
        BigInteger b = Srp.newPrivateExponent();
        BigInteger bigB = Srp.serverPublic(group, v, b);
        byte[] m =
                Chap.decode(
                        map(ex.next(List.of(Map.entry("SRP_B", Chap.hex(Srp.bytes(bigB))))))
                                .get("SRP_M"));
        byte[] k = Srp.sessionKey(Srp.serverSecret(group, bigA, bigB, v, b));
        return Srp.serverProof(bigA, m, k);
    }

    @Test
    void theStrongestOfferedGroupIsChosenAndTheTargetsProofChecked() throws Exception {
        SrpExchange ex =
                new SrpExchange(new InitiatorConfig.SrpLogin("bob", "bobs-password-1", true));
        byte[] hm = upToProof(ex, "SRP-1536,SRP-3072,SRP-9999");
        assertNull(ex.next(List.of(Map.entry("SRP_HM", Chap.hex(hm)))));
        assertTrue(ex.done());
    }

    @Test
    void aTargetThatCannotProveTheVerifierIsRefused() throws Exception {
        SrpExchange ex =
                new SrpExchange(new InitiatorConfig.SrpLogin("bob", "bobs-password-1", true));
        byte[] hm = upToProof(ex, "SRP-2048");
        hm[0] ^= 1;
        LoginException e =
                assertThrows(
                        LoginException.class,
                        () -> ex.next(List.of(Map.entry("SRP_HM", Chap.hex(hm)))));
        assertEquals(LoginStatus.AUTHENTICATION_FAILURE, e.status());
    }

    @Test
    void noKnownGroupOrAnUnsafeBEndsTheLogin() throws Exception {
        SrpExchange ex =
                new SrpExchange(new InitiatorConfig.SrpLogin("bob", "bobs-password-1", false));
        ex.next(List.of());
        assertThrows(
                LoginException.class,
                () ->
                        ex.next(
                                List.of(
                                        Map.entry("SRP_GROUP", "SRP-768"),
                                        Map.entry("SRP_s", Chap.hex(SALT)))));
        SrpExchange zero =
                new SrpExchange(new InitiatorConfig.SrpLogin("bob", "bobs-password-1", false));
        zero.next(List.of());
        zero.next(List.of(Map.entry("SRP_GROUP", "SRP-1536"), Map.entry("SRP_s", Chap.hex(SALT))));
        assertThrows(
                LoginException.class,
                () ->
                        zero.next(
                                List.of(
                                        Map.entry(
                                                "SRP_B",
                                                Chap.hex(
                                                        Srp.bytes(
                                                                SrpGroup.SRP_1536
                                                                        .n())))))); // B % N == 0
        // (RFC 2945 §3)
    }
}
