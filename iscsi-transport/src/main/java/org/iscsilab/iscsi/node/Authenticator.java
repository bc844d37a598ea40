package org.iscsilab.iscsi.node;

import java.util.List;
import java.util.Map;
import org.iscsilab.iscsi.login.AuthMethod;
import org.iscsilab.iscsi.login.LoginException;

/** The target's side of one authentication method in the security stage (RFC 7143 §12). */
interface Authenticator {
    /** The AuthMethod this answers. */
    AuthMethod method();

    /** Answers one request's keys of this method; fails the login with the RFC's status. */
    List<Map.Entry<String, String>> process(Map<String, String> keys) throws LoginException;

    /** True once the initiator is authenticated (and, if it asked, the target too). */
    boolean done();
}
