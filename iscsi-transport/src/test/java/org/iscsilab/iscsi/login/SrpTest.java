package org.iscsilab.iscsi.login;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RFC 2945 SRP-SHA1 arithmetic: both sides reach the same key exactly when the password is right.
 */
class SrpTest {
    private static final byte[] SALT = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    @ParameterizedTest
    @EnumSource(SrpGroup.class)
    void initiatorAndTargetAgreeOnTheKeyAndTheProofs(SrpGroup group) {
        BigInteger x = Srp.x(SALT, "bob", "bobs-password-1".getBytes(StandardCharsets.UTF_8));
        BigInteger v = Srp.verifier(group, x);
        BigInteger a = Srp.newPrivateExponent();
        BigInteger b = Srp.newPrivateExponent();
        BigInteger bigA = Srp.clientPublic(group, a);
        BigInteger bigB = Srp.serverPublic(group, v, b);
        byte[] kClient = Srp.sessionKey(Srp.clientSecret(group, bigB, x, a));
        byte[] kServer = Srp.sessionKey(Srp.serverSecret(group, bigA, bigB, v, b));
        assertArrayEquals(kClient, kServer);
        assertEquals(40, kClient.length, "SHA_Interleave gives 40 bytes");
        byte[] m = Srp.clientProof(group, "bob", SALT, bigA, bigB, kClient);
        assertArrayEquals(m, Srp.clientProof(group, "bob", SALT, bigA, bigB, kServer));
        assertEquals(20, Srp.serverProof(bigA, m, kServer).length);
    }

    @Test
    void aWrongPasswordGivesAnotherKey() {
        SrpGroup group = SrpGroup.SRP_1536;
        BigInteger v =
                Srp.verifier(
                        group,
                        Srp.x(SALT, "bob", "bobs-password-1".getBytes(StandardCharsets.UTF_8)));
        BigInteger wrong = Srp.x(SALT, "bob", "bobs-password-2".getBytes(StandardCharsets.UTF_8));
        BigInteger a = Srp.newPrivateExponent();
        BigInteger b = Srp.newPrivateExponent();
        BigInteger bigA = Srp.clientPublic(group, a);
        BigInteger bigB = Srp.serverPublic(group, v, b);
        assertFalse(
                Arrays.equals(
                        Srp.sessionKey(Srp.clientSecret(group, bigB, wrong, a)),
                        Srp.sessionKey(Srp.serverSecret(group, bigA, bigB, v, b))));
    }

    @Test
    void shaInterleaveDropsLeadingZerosAndTheFirstByteOfAnOddLength() {
        // RFC 2945 §3.1: T = S without leading zero bytes; an odd-length T loses its first byte
        BigInteger odd = new BigInteger(1, new byte[] {0x7F, 1, 2, 3, 4});
        BigInteger even = new BigInteger(1, new byte[] {1, 2, 3, 4});
        assertArrayEquals(Srp.sessionKey(even), Srp.sessionKey(odd));
        assertNotEquals(
                new BigInteger(1, Srp.sessionKey(even)),
                new BigInteger(1, Srp.sessionKey(BigInteger.TEN)));
        assertArrayEquals(
                new byte[] {1, 0},
                Srp.bytes(BigInteger.valueOf(256)),
                "no sign byte, no leading zeros");
    }

    @Test
    void groupsAreNamedAsInSrpGroupAndSmallerOnesAreUnknown() {
        assertEquals(SrpGroup.SRP_2048, SrpGroup.of("SRP-2048"));
        assertEquals(null, SrpGroup.of("SRP-1024"));
        assertEquals(1536, SrpGroup.SRP_1536.n().bitLength());
        assertEquals(8192, SrpGroup.SRP_8192.n().bitLength());
    }
}
