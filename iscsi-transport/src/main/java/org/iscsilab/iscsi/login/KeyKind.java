package org.iscsilab.iscsi.login;

/** How the result of a key is computed (RFC 7143 §6.2, §13). */
public enum KeyKind {
    /** Ordered list; the responder picks the first value it supports (§6.2.1). */
    LIST,
    /** Result is the smaller of the offer and the responder's value (§6.2.2). */
    NUMERICAL_MIN,
    /** Result is the larger of the offer and the responder's value (§6.2.2). */
    NUMERICAL_MAX,
    /** Result is Yes only if both say Yes (§6.2.2). */
    BOOLEAN_AND,
    /** Result is Yes if either says Yes (§6.2.2). */
    BOOLEAN_OR,
    /** Each side states its own value; nothing is negotiated (§6.1). */
    DECLARATIVE
}
