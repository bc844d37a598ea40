package org.iscsilab.iscsi.login;

/**
 * What a responder demands of a login: the initiator's CHAP credentials (null: no CHAP) and, for
 * mutual CHAP, the responder's own answer to the initiator's challenge (RFC 7143 §12.1.3).
 */
public record ChapRequirement(ChapCredentials initiator, ChapCredentials mutual) {
    public static final ChapRequirement NONE = new ChapRequirement(null, null);

    public ChapRequirement {
        if (initiator == null && mutual != null) {
            throw new IllegalArgumentException("mutual CHAP needs the initiator's CHAP as well");
        }
        if (mutual != null && mutual.secret().equals(initiator.secret())) {
            // RFC 7143 §12.1.3: the secrets of the two directions must differ
            throw new IllegalArgumentException(
                    "the target's mutual CHAP secret must differ from the initiator's "
                            + "(RFC 7143 §12.1.3)");
        }
    }
}
