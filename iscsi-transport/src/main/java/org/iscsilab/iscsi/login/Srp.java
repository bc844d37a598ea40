package org.iscsilab.iscsi.login;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA1Digest;

/**
 * The arithmetic of SRP-SHA1 as RFC 2945 defines it and RFC 7143 §12.1.2 uses it for iSCSI login.
 * Byte strings of numbers are unsigned big-endian without leading zero bytes. SHA-1 comes from
 * Bouncy Castle, so FIPS-restricted JDK providers do not matter.
 */
public final class Srp {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Srp() {}

    /** x = SHA1(s | SHA1(U | ":" | p)) (RFC 2945 §3). */
    public static BigInteger x(byte[] salt, String user, byte[] password) {
        byte[] inner = sha1(user.getBytes(StandardCharsets.UTF_8), new byte[] {':'}, password);
        return new BigInteger(1, sha1(salt, inner));
    }

    /** v = g^x % N, what the target keeps instead of the password. */
    public static BigInteger verifier(SrpGroup group, BigInteger x) {
        return group.g().modPow(x, group.n());
    }

    /** A private exponent of 256 random bits (RFC 2945 asks for at least 128). */
    public static BigInteger newPrivateExponent() {
        return new BigInteger(256, RANDOM).setBit(255);
    }

    public static byte[] newSalt() {
        byte[] s = new byte[16];
        RANDOM.nextBytes(s);
        return s;
    }

    /** A = g^a % N. */
    public static BigInteger clientPublic(SrpGroup group, BigInteger a) {
        return group.g().modPow(a, group.n());
    }

    /** B = (v + g^b) % N (RFC 2945 §3: no multiplier, unlike SRP-6). */
    public static BigInteger serverPublic(SrpGroup group, BigInteger v, BigInteger b) {
        return v.add(group.g().modPow(b, group.n())).mod(group.n());
    }

    /** u: the first 32 bits of SHA1(B), most significant first (RFC 2945 §3). */
    public static BigInteger u(BigInteger bigB) {
        byte[] h = sha1(bytes(bigB));
        return new BigInteger(1, new byte[] {h[0], h[1], h[2], h[3]});
    }

    /** The initiator's S = (B - g^x) ^ (a + u * x) % N. */
    public static BigInteger clientSecret(
            SrpGroup group, BigInteger bigB, BigInteger x, BigInteger a) {
        BigInteger n = group.n();
        BigInteger base = bigB.subtract(group.g().modPow(x, n)).mod(n);
        return base.modPow(a.add(u(bigB).multiply(x)), n);
    }

    /** The target's S = (A * v^u) ^ b % N. */
    public static BigInteger serverSecret(
            SrpGroup group, BigInteger bigA, BigInteger bigB, BigInteger v, BigInteger b) {
        BigInteger n = group.n();
        return bigA.multiply(v.modPow(u(bigB), n)).mod(n).modPow(b, n);
    }

    /**
     * K = SHA_Interleave(S) (RFC 2945 §3.1): 40 bytes from the hashes of S's even and odd bytes.
     */
    public static byte[] sessionKey(BigInteger s) {
        byte[] t = bytes(s);
        int offset = t.length % 2; // an odd length drops the first byte
        int half = (t.length - offset) / 2;
        byte[] even = new byte[half];
        byte[] odd = new byte[half];
        for (int i = 0; i < half; i++) {
            even[i] = t[offset + 2 * i];
            odd[i] = t[offset + 2 * i + 1];
        }
        byte[] g = sha1(even);
        byte[] h = sha1(odd);
        byte[] k = new byte[40];
        for (int i = 0; i < 20; i++) {
            k[2 * i] = g[i];
            k[2 * i + 1] = h[i];
        }
        return k;
    }

    /** M = H(H(N) XOR H(g) | H(U) | s | A | B | K): the initiator's proof (RFC 2945 §3). */
    public static byte[] clientProof(
            SrpGroup group, String user, byte[] salt, BigInteger bigA, BigInteger bigB, byte[] k) {
        byte[] hn = sha1(bytes(group.n()));
        byte[] hg = sha1(bytes(group.g()));
        for (int i = 0; i < hn.length; i++) {
            hn[i] ^= hg[i];
        }
        return sha1(
                hn, sha1(user.getBytes(StandardCharsets.UTF_8)), salt, bytes(bigA), bytes(bigB), k);
    }

    /** H(A | M | K): the target's proof, sent as SRP_HM when the initiator asked TargetAuth=Yes. */
    public static byte[] serverProof(BigInteger bigA, byte[] m, byte[] k) {
        return sha1(bytes(bigA), m, k);
    }

    /** A number as its unsigned big-endian bytes, without leading zeros. */
    public static byte[] bytes(BigInteger value) {
        byte[] b = value.toByteArray();
        int zeros = 0;
        while (zeros < b.length - 1 && b[zeros] == 0) {
            zeros++;
        }
        return Arrays.copyOfRange(b, zeros, b.length);
    }

    private static byte[] sha1(byte[]... parts) {
        SHA1Digest d = new SHA1Digest();
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[d.getDigestSize()];
        d.doFinal(out, 0);
        return out;
    }
}
