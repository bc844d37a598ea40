package org.iscsilab.iscsi.login;

/** The outcome of a login negotiation, as either side sees it. */
public interface NegotiationResults {
    /** The agreed value of a negotiated key, or its RFC 7143 default. */
    String result(String key);

    /** What the other side declared for a declarative key, or null. */
    String declared(String key);
}
