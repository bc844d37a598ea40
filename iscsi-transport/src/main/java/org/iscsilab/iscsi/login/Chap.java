package org.iscsilab.iscsi.login;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.crypto.Digest;

/** CHAP computations and the binary value encodings of RFC 7143 §6.1 ("0x" hex, "0b" base64). */
public final class Chap {
    private Chap() {}

    /**
     * RFC 1994: the response is the digest of the identifier byte, the secret and the challenge.
     */
    public static byte[] response(
            ChapAlgorithm algorithm, int identifier, byte[] secret, byte[] challenge) {
        Digest d = algorithm.newDigest();
        d.update((byte) identifier);
        d.update(secret, 0, secret.length);
        d.update(challenge, 0, challenge.length);
        byte[] out = new byte[d.getDigestSize()];
        d.doFinal(out, 0);
        return out;
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * A random challenge as long as the algorithm's digest, and at least 16 bytes (RFC 7143
     * §12.1.3).
     */
    public static byte[] newChallenge(ChapAlgorithm algorithm) {
        byte[] c = new byte[Math.max(16, algorithm.newDigest().getDigestSize())];
        RANDOM.nextBytes(c);
        return c;
    }

    /** A random CHAP identifier (one byte). */
    public static int newIdentifier() {
        return RANDOM.nextInt(256);
    }

    public static byte[] secret(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public static String hex(byte[] b) {
        return "0x" + HexFormat.of().formatHex(b);
    }

    /** Decodes a binary value: "0x" hex or "0b" base64 (RFC 7143 §6.1). */
    public static byte[] decode(String value) {
        if (value.length() > 2 && (value.startsWith("0x") || value.startsWith("0X"))) {
            String h = value.substring(2);
            return HexFormat.of().parseHex(h.length() % 2 == 0 ? h : "0" + h);
        }
        if (value.length() > 2 && (value.startsWith("0b") || value.startsWith("0B"))) {
            return Base64.getDecoder().decode(value.substring(2));
        }
        throw new IllegalArgumentException("not a binary value (0x... or 0b...): " + value);
    }
}
