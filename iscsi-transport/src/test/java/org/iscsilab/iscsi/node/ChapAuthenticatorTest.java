package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.iscsi.login.Chap;
import org.iscsilab.iscsi.login.ChapAlgorithm;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.iscsi.login.LoginException;
import org.iscsilab.iscsi.login.LoginStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The target's CHAP exchange (RFC 7143 §12.1.3): algorithm choice, response check, mutual answer,
 * refusals.
 */
class ChapAuthenticatorTest {
    private static final ChapCredentials ALICE =
            new ChapCredentials("alice", "twelve-bytes-or-more");
    private static final ChapCredentials TARGET =
            new ChapCredentials("target", "another-secret-1234");

    private static Map<String, String> keys(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Map<String, String> asMap(List<Map.Entry<String, String>> entries) {
        Map<String, String> m = new LinkedHashMap<>();
        entries.forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    @ParameterizedTest(name = "CHAP_A={0} offered as {1}")
    @CsvSource({"5,5", "6,'6,5'", "7,'7,5'", "8,'8,7,6,5'", "5,'99,5'"})
    void theFirstSupportedAlgorithmIsChosenAndTheRightResponseAuthenticates(
            int chosen, String offered) throws Exception {
        ChapAuthenticator chap = new ChapAuthenticator(ALICE, null);
        Map<String, String> challenge = asMap(chap.process(keys("CHAP_A", offered)));
        assertEquals(Integer.toString(chosen), challenge.get("CHAP_A"));
        ChapAlgorithm alg = ChapAlgorithm.of(challenge.get("CHAP_A"));
        byte[] c = Chap.decode(challenge.get("CHAP_C"));
        assertTrue(c.length >= 16, "a challenge of at least 16 bytes");
        byte[] r =
                Chap.response(
                        alg,
                        Integer.parseInt(challenge.get("CHAP_I")),
                        Chap.secret(ALICE.secret()),
                        c);
        assertEquals(List.of(), chap.process(keys("CHAP_N", "alice", "CHAP_R", Chap.hex(r))));
        assertTrue(chap.done());
    }

    @Test
    void md5IsComputedAsRfc1994Says() {
        // MD5(0x01 || "secret" || 0x00..0f), checked against the JDK's MD5
        byte[] challenge = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
        byte[] got = Chap.response(ChapAlgorithm.MD5, 1, Chap.secret("secret"), challenge);
        byte[] expected;
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update((byte) 1);
            md.update(Chap.secret("secret"));
            md.update(challenge);
            expected = md.digest();
        } catch (NoSuchAlgorithmException e) {
            return; // a FIPS JDK without MD5: Bouncy Castle still computes it, nothing to compare
            // with
        }
        assertEquals(Chap.hex(expected), Chap.hex(got));
    }

    @Test
    void aWrongSecretOrNameIsAnAuthenticationFailure() throws Exception {
        ChapAuthenticator chap = new ChapAuthenticator(ALICE, null);
        Map<String, String> c = asMap(chap.process(keys("CHAP_A", "5")));
        byte[] wrong =
                Chap.response(
                        ChapAlgorithm.MD5,
                        Integer.parseInt(c.get("CHAP_I")),
                        Chap.secret("not-the-secret!"),
                        Chap.decode(c.get("CHAP_C")));
        LoginException e =
                assertThrows(
                        LoginException.class,
                        () -> chap.process(keys("CHAP_N", "alice", "CHAP_R", Chap.hex(wrong))));
        assertEquals(LoginStatus.AUTHENTICATION_FAILURE, e.status());
        assertEquals(0x0201, (e.status().statusClass() << 8) | e.status().detail());
    }

    @Test
    void mutualChapAnswersTheInitiatorsChallengeAndRefusesAReflectedOne() throws Exception {
        ChapAuthenticator chap = new ChapAuthenticator(ALICE, TARGET);
        Map<String, String> c = asMap(chap.process(keys("CHAP_A", "7")));
        int id = Integer.parseInt(c.get("CHAP_I"));
        byte[] ours = Chap.decode(c.get("CHAP_C"));
        byte[] r = Chap.response(ChapAlgorithm.SHA256, id, Chap.secret(ALICE.secret()), ours);
        byte[] initiatorChallenge = HexFormat.of().parseHex("a1a2a3a4a5a6a7a8a9aaabacadaeafb0");
        Map<String, String> answer =
                asMap(
                        chap.process(
                                keys(
                                        "CHAP_N",
                                        "alice",
                                        "CHAP_R",
                                        Chap.hex(r),
                                        "CHAP_I",
                                        "77",
                                        "CHAP_C",
                                        Chap.hex(initiatorChallenge))));
        assertEquals("target", answer.get("CHAP_N"));
        assertEquals(
                Chap.hex(
                        Chap.response(
                                ChapAlgorithm.SHA256,
                                77,
                                Chap.secret(TARGET.secret()),
                                initiatorChallenge)),
                answer.get("CHAP_R"));

        ChapAuthenticator reflected = new ChapAuthenticator(ALICE, TARGET);
        Map<String, String> c2 = asMap(reflected.process(keys("CHAP_A", "5")));
        byte[] r2 =
                Chap.response(
                        ChapAlgorithm.MD5,
                        Integer.parseInt(c2.get("CHAP_I")),
                        Chap.secret(ALICE.secret()),
                        Chap.decode(c2.get("CHAP_C")));
        LoginException e =
                assertThrows(
                        LoginException.class,
                        () ->
                                reflected.process(
                                        keys(
                                                "CHAP_N",
                                                "alice",
                                                "CHAP_R",
                                                Chap.hex(r2),
                                                "CHAP_I",
                                                "1",
                                                "CHAP_C",
                                                c2.get("CHAP_C"))));
        assertTrue(e.getMessage().contains("own challenge"), e.getMessage());
    }

    @Test
    void badConfigurationsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ChapCredentials("alice", "short"));
        IscsiTarget t =
                new IscsiTarget("iqn.2026-01.org.example:t", null, new ScsiTargetDevice("t"));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> t.requireChap(ALICE, new ChapCredentials("target", ALICE.secret())));
        assertTrue(e.getMessage().contains("must differ"), e.getMessage());
    }
}
