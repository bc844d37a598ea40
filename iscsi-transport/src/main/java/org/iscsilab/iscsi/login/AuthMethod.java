package org.iscsilab.iscsi.login;

import java.util.List;

/**
 * The AuthMethod values this project speaks (RFC 7143 §12.1) and the keys each one exchanges in the
 * security stage, so both sides route a key to its method in one place.
 */
public enum AuthMethod {
    /** RFC 7143 §12.1.3: CHAP_A, CHAP_I, CHAP_C, CHAP_N, CHAP_R. */
    CHAP("CHAP", List.of(Keys.CHAP_A, Keys.CHAP_I, Keys.CHAP_C, Keys.CHAP_N, Keys.CHAP_R)),
    /** RFC 7143 §12.1.2: SRP_U, TargetAuth, SRP_GROUP, SRP_s, SRP_A, SRP_B, SRP_M, SRP_HM. */
    SRP(
            "SRP",
            List.of(
                    Keys.SRP_U,
                    Keys.TARGET_AUTH,
                    Keys.SRP_GROUP,
                    Keys.SRP_S,
                    Keys.SRP_A,
                    Keys.SRP_B,
                    Keys.SRP_M,
                    Keys.SRP_HM));

    private final String keyValue;
    private final List<String> keys;

    AuthMethod(String keyValue, List<String> keys) {
        this.keyValue = keyValue;
        this.keys = keys;
    }

    /** The value in AuthMethod=..., e.g. "CHAP". */
    public String keyValue() {
        return keyValue;
    }

    public boolean owns(String key) {
        return keys.contains(key);
    }

    /** The method whose exchange {@code key} belongs to, or null for any other key. */
    public static AuthMethod ownerOf(String key) {
        for (AuthMethod m : values()) {
            if (m.owns(key)) {
                return m;
            }
        }
        return null;
    }
}
