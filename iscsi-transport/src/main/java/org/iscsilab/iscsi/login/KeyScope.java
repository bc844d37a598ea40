package org.iscsilab.iscsi.login;

/** Where a key applies and when it may be sent (RFC 7143 §13 "Use" and "Scope" lines). */
public enum KeyScope {
    /** Session-wide, leading login only (LO). */
    SESSION_LEADING_ONLY,
    /** Session-wide. */
    SESSION,
    /** Per connection. */
    CONNECTION,
    /** Security negotiation stage only. */
    SECURITY
}
