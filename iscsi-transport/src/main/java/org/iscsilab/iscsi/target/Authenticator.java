package org.iscsilab.iscsi.target;

import java.util.List;
import java.util.Map;
import org.iscsilab.iscsi.login.LoginException;

/** The target's side of one authentication method in the security stage (RFC 7143 §12). */
interface Authenticator {
    /** The AuthMethod value this answers, e.g. "CHAP". */
    String method();

    /** True for the keys this method exchanges (CHAP_A, SRP_U, ...). */
    boolean owns(String key);

    /** Answers one request's keys of this method; fails the login with the RFC's status. */
    List<Map.Entry<String, String>> process(Map<String, String> keys) throws LoginException;

    /** True once the initiator is authenticated (and, if it asked, the target too). */
    boolean done();
}
