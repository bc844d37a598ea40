package org.iscsilab.iscsi.login;

/**
 * A CHAP name and secret. RFC 7143 §12.1.3: without IPsec a secret must be at least 96 bits (12
 * bytes) long; shorter ones are refused when configured.
 */
public record ChapCredentials(String user, String secret) {
    public ChapCredentials {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("a CHAP name is needed");
        }
        if (secret == null || Chap.secret(secret).length < 12) {
            throw new IllegalArgumentException(
                    "a CHAP secret must be at least 12 bytes (RFC 7143 §12.1.3)");
        }
    }

    /** "USER:SECRET", as the command line takes it. */
    public static ChapCredentials parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("write CHAP credentials as USER:SECRET");
        }
        return new ChapCredentials(text.substring(0, colon), text.substring(colon + 1));
    }
}
