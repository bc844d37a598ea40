package org.iscsilab.iscsi.initiator;

import java.util.List;
import java.util.Map;
import org.iscsilab.iscsi.login.AuthMethod;
import org.iscsilab.iscsi.login.LoginException;

/** The initiator's side of one authentication method in the security stage (RFC 7143 §12). */
interface AuthExchange {
    /** The AuthMethod this speaks. */
    AuthMethod method();

    /**
     * The keys of the next Login Request given the target's answer (this method's keys only), or
     * null when the method has nothing more to send.
     */
    List<Map.Entry<String, String>> next(List<Map.Entry<String, String>> answer)
            throws LoginException;

    boolean done();
}
