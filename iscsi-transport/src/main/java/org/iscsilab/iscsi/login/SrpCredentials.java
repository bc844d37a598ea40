package org.iscsilab.iscsi.login;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;

/**
 * What a target keeps to check an SRP login (RFC 2945 §3): the user name, a random salt and the
 * verifier v = g^x % N for each group it offers; the password itself is not kept.
 */
public final class SrpCredentials {
    private final String user;
    private final byte[] salt;
    private final Map<SrpGroup, BigInteger> verifiers = new EnumMap<>(SrpGroup.class);

    private SrpCredentials(String user, byte[] salt) {
        this.user = user;
        this.salt = salt;
    }

    /** Derives a fresh salt and the verifiers of every group from a name and password. */
    public static SrpCredentials derive(String user, String password) {
        requireUsable(user, password);
        SrpCredentials c = new SrpCredentials(user, Srp.newSalt());
        BigInteger x = Srp.x(c.salt, user, password.getBytes(StandardCharsets.UTF_8));
        for (SrpGroup g : SrpGroup.values()) {
            c.verifiers.put(g, Srp.verifier(g, x));
        }
        return c;
    }

    /** Checks a name and password without deriving anything (for configuration checks). */
    public static void requireUsable(String user, String password) {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("an SRP user name is needed");
        }
        if (password == null || password.getBytes(StandardCharsets.UTF_8).length < 12) {
            throw new IllegalArgumentException("an SRP password must be at least 12 bytes");
        }
    }

    public String user() {
        return user;
    }

    public byte[] salt() {
        return salt.clone();
    }

    public BigInteger verifier(SrpGroup group) {
        return verifiers.get(group);
    }
}
