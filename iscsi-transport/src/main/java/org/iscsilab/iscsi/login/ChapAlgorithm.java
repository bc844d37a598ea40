package org.iscsilab.iscsi.login;

import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.MD5Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA3Digest;

/**
 * CHAP_A values (IANA "PPP Authentication Algorithms", used by RFC 7143 §12.1.3): the digest the
 * response is computed with. Digests come from Bouncy Castle, so they work on JDKs whose providers
 * refuse MD5 (FIPS mode).
 */
public enum ChapAlgorithm {
    MD5(5),
    SHA1(6),
    SHA256(7),
    SHA3_256(8);

    private final int code;

    ChapAlgorithm(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public Digest newDigest() {
        return switch (this) {
            case MD5 -> new MD5Digest();
            case SHA1 -> new SHA1Digest();
            case SHA256 -> new SHA256Digest();
            case SHA3_256 -> new SHA3Digest(256);
        };
    }

    /** The algorithm with this CHAP_A code, or null for one we do not implement. */
    public static ChapAlgorithm of(String code) {
        for (ChapAlgorithm a : values()) {
            if (Integer.toString(a.code).equals(code.strip())) {
                return a;
            }
        }
        return null;
    }
}
