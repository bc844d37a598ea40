package org.iscsilab.iscsi.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.iscsilab.iscsi.login.AuthMethod;
import org.iscsilab.iscsi.login.ChapRequirement;
import org.iscsilab.iscsi.login.KeyKind;
import org.iscsilab.iscsi.login.KeyScope;
import org.iscsilab.iscsi.login.Keys;
import org.iscsilab.iscsi.login.LoginException;
import org.iscsilab.iscsi.login.LoginStatus;
import org.iscsilab.iscsi.login.Negotiator;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.login.TextKey;
import org.iscsilab.iscsi.login.TextParameters;
import org.iscsilab.iscsi.pdu.LoginRequest;

/**
 * The target's side of one connection's login (RFC 7143 §6): stage sequencing, the first-request
 * checks (InitiatorName, TargetName, SessionType), text accumulation across C-bit PDUs, and
 * negotiation through {@link Negotiator}. It produces response contents; the connection turns them
 * into Login Response PDUs.
 */
final class LoginPhase {
    static final int SECURITY = 0;
    static final int OPERATIONAL = 1;
    static final int FULL_FEATURE = 3;

    /** What to answer one Login Request with. */
    record Reply(
            boolean transit,
            int currentStage,
            int nextStage,
            List<Map.Entry<String, String>> keys,
            boolean complete) {}

    private final TargetPortal portal;
    private Negotiator negotiator;

    /**
     * The methods this login must authenticate with, in the target's order of preference; empty:
     * none.
     */
    private final List<Authenticator> authenticators = new ArrayList<>();

    private final ByteArrayOutputStream pendingText = new ByteArrayOutputStream();
    private LoginRequest first;
    private int stage = -1;
    private boolean ownMrdslDeclared;
    private boolean authAgreed;
    private IscsiTarget target;
    private boolean discovery;
    private String initiatorName;

    private final InetAddress peer;
    private final int portalGroupTag;

    LoginPhase(TargetPortal portal, int portalGroupTag, InetAddress peer) {
        this.portal = portal;
        this.portalGroupTag = portalGroupTag;
        this.peer = peer;
        this.negotiator = new Negotiator(portal.settings().negotiationValues());
    }

    /**
     * The session type and target are known after the first request: a normal session needs the
     * target's CHAP if it has one, a discovery session the portal group's discovery CHAP (RFC 7143
     * §12: authentication is negotiated per session, discovery sessions included).
     */
    private void targetKnown() {
        if (!discovery && target.srp() != null) {
            authenticators.add(new SrpAuthenticator(target.srp()));
        }
        ChapRequirement chap = discovery ? portal.discoveryChap() : target.chap();
        if (chap.initiator() != null) {
            authenticators.add(new ChapAuthenticator(chap.initiator(), chap.mutual()));
        }
        Map<String, String> local = new LinkedHashMap<>(portal.settings().negotiationValues());
        if (!authenticators.isEmpty()) {
            local.put(
                    Keys.AUTH_METHOD,
                    String.join(
                            ",", authenticators.stream().map(a -> a.method().keyValue()).toList()));
        }
        if (discovery) {
            // RFC 7143 §13.20: ErrorRecoveryLevel must be 0 for discovery sessions; §13.2: they
            // have one connection
            local.put(Keys.ERROR_RECOVERY_LEVEL, "0");
            local.put(Keys.MAX_CONNECTIONS, "1");
        }
        negotiator = new Negotiator(local);
    }

    /** The authenticator of the AuthMethod agreed on, or null before agreement. */
    private Authenticator agreed() {
        String method = negotiator.result(Keys.AUTH_METHOD);
        return authenticators.stream()
                .filter(a -> a.method().keyValue().equals(method))
                .findFirst()
                .orElse(null);
    }

    LoginRequest first() {
        return first;
    }

    IscsiTarget target() {
        return target;
    }

    boolean discovery() {
        return discovery;
    }

    String initiatorName() {
        return initiatorName;
    }

    String initiatorAlias() {
        return negotiator.declared(Keys.INITIATOR_ALIAS);
    }

    SessionParameters parameters() {
        return SessionParameters.from(negotiator, portal.settings().maxRecvDataSegmentLength());
    }

    /**
     * One Login Request: checked against the login so far, its text gathered across C-bit
     * continuations, its keys negotiated and authenticated, and the stage moved when it may be.
     */
    Reply process(LoginRequest req) throws LoginException {
        checkSequence(req);
        List<Map.Entry<String, String>> pairs = gatherText(req);
        if (pairs == null) {
            // RFC 7143 §6.1: the text continues in the next PDU; answer with an empty response
            return new Reply(false, stage, 0, List.of(), false);
        }
        List<Map.Entry<String, String>> answers = new ArrayList<>();
        if (req == first) {
            checkFirstRequest(pairs, answers);
            targetKnown();
            if (!authenticators.isEmpty() && stage != SECURITY) {
                // RFC 7143 §6.2: a target that requires authentication refuses a login that skips
                // it
                throw new LoginException(
                        LoginStatus.AUTHENTICATION_FAILURE,
                        (discovery ? "discovery sessions require" : "this target requires")
                                + " authentication: the login must start in the security stage");
            }
        }
        Authenticator auth = negotiate(pairs, answers);
        boolean transit = transitAllowed(req, auth);
        int next = req.nextStage();
        if (!ownMrdslDeclared && (stage == OPERATIONAL || (transit && next == FULL_FEATURE))) {
            // MaxRecvDataSegmentLength is declarative: each side states its own (RFC 7143 §13.12)
            answers.add(
                    Map.entry(
                            Keys.MAX_RECV_DATA_SEGMENT_LENGTH,
                            Integer.toString(portal.settings().maxRecvDataSegmentLength())));
            ownMrdslDeclared = true;
        }
        int current = stage;
        if (transit) {
            stage = next;
        }
        return new Reply(
                transit, current, transit ? next : 0, answers, transit && next == FULL_FEATURE);
    }

    /** RFC 7143 §6.1, §11.12: the request belongs to this login and to its current stage. */
    private void checkSequence(LoginRequest req) throws LoginException {
        if (first == null) {
            first = req;
            stage = req.currentStage();
            // RFC 7143 §11.12.4: VersionMin above our only version 0
            if (req.versionMin() > 0) {
                throw new LoginException(
                        LoginStatus.UNSUPPORTED_VERSION,
                        "version " + req.versionMin() + " not supported");
            }
        } else if (req.isid() != first.isid()
                || req.tsih() != first.tsih()
                || req.cid() != first.cid()
                || req.initiatorTaskTag() != first.initiatorTaskTag()) {
            // RFC 7143 §6.1: ISID, TSIH, CID and ITT stay the same through a login
            throw new LoginException(
                    LoginStatus.INITIATOR_ERROR, "ISID, TSIH, CID or ITT changed during login");
        }
        if (req.currentStage() != stage || stage == 2 || stage == FULL_FEATURE) {
            throw new LoginException(
                    LoginStatus.INITIATOR_ERROR,
                    "login request in stage " + req.currentStage() + " while in stage " + stage);
        }
    }

    /**
     * The request's key=value pairs once its text is complete; null while the C bit says more
     * follows.
     */
    private List<Map.Entry<String, String>> gatherText(LoginRequest req) throws LoginException {
        ByteBuf data = req.data();
        pendingText.writeBytes(ByteBufUtil.getBytes(data));
        if (pendingText.size() > 64 * 1024) {
            throw new LoginException(LoginStatus.OUT_OF_RESOURCES, "login text longer than 64 KiB");
        }
        if (req.continueFlag()) {
            if (req.transit()) {
                throw new LoginException(
                        LoginStatus.INITIATOR_ERROR, "T and C bits both set (RFC 7143 §11.12.2)");
            }
            return null;
        }
        try {
            return TextParameters.decode(pendingText.toByteArray());
        } catch (TextParameters.TextFormatException e) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR, e.getMessage());
        } finally {
            pendingText.reset();
        }
    }

    /**
     * Negotiates the operational keys and runs the agreed authentication method's exchange on its
     * own keys (RFC 7143 §12.1); the answers go to {@code answers}. Returns the agreed
     * authenticator, or null while none is agreed.
     */
    private Authenticator negotiate(
            List<Map.Entry<String, String>> pairs, List<Map.Entry<String, String>> answers)
            throws LoginException {
        List<Map.Entry<String, String>> negotiable = new ArrayList<>();
        Map<String, String> authKeys = new LinkedHashMap<>();
        for (Map.Entry<String, String> p : pairs) {
            if (leadingOnlyInJoin(p.getKey())) {
                // RFC 7143 §13: session-wide LO keys are set by the leading login and cannot change
                // afterwards; offered again by a connection that joins, they do not apply to it
                answers.add(Map.entry(p.getKey(), Negotiator.IRRELEVANT));
                continue;
            }
            if (stage != SECURITY && p.getKey().equals(Keys.AUTH_METHOD)) {
                throw new LoginException(
                        LoginStatus.INITIATOR_ERROR, "AuthMethod outside the security stage");
            }
            if (AuthMethod.ownerOf(p.getKey()) != null) {
                authKeys.put(p.getKey(), p.getValue());
            } else {
                negotiable.add(p);
            }
        }
        List<Map.Entry<String, String>> negotiated = negotiator.respond(negotiable);
        for (Map.Entry<String, String> a : negotiated) {
            if (a.getKey().equals(Keys.AUTH_METHOD)) {
                authAgreed = !a.getValue().equals(Negotiator.REJECT);
            }
        }
        answers.addAll(negotiated);
        Authenticator auth = agreed();
        if (!authKeys.isEmpty()) {
            // RFC 7143 §12.1: a method's exchange runs in the security stage once that AuthMethod
            // is agreed
            if (stage != SECURITY
                    || auth == null
                    || !authKeys.keySet().stream().allMatch(auth.method()::owns)) {
                throw new LoginException(
                        LoginStatus.INITIATOR_ERROR,
                        "keys " + authKeys.keySet() + " without their AuthMethod agreed");
            }
            answers.addAll(auth.process(authKeys));
        }
        return auth;
    }

    /** A negotiable leading-only key offered in a login that adds a connection to a session. */
    private boolean leadingOnlyInJoin(String name) {
        if (first.tsih() == 0) {
            return false;
        }
        TextKey key = Keys.get(name);
        return key != null
                && key.scope() == KeyScope.SESSION_LEADING_ONLY
                && key.kind() != KeyKind.DECLARATIVE;
    }

    /**
     * Whether the T bit moves the login on (RFC 7143 §6.2, §11.12.2): not out of the security stage
     * before a required authentication is done, never backwards or to stage 2.
     */
    private boolean transitAllowed(LoginRequest req, Authenticator auth) throws LoginException {
        boolean transit = req.transit();
        int next = req.nextStage();
        if (transit
                && stage == SECURITY
                && !authenticators.isEmpty()
                && (auth == null || !auth.done())) {
            if (!authAgreed) {
                throw new LoginException(
                        LoginStatus.AUTHENTICATION_FAILURE,
                        "this target requires AuthMethod="
                                + String.join(
                                        " or ",
                                        authenticators.stream()
                                                .map(a -> a.method().keyValue())
                                                .toList()));
            }
            return false; // the exchange is not over: stay in the security stage
        }
        if (transit) {
            if (next <= stage || next == 2) {
                throw new LoginException(
                        LoginStatus.INITIATOR_ERROR,
                        "cannot move from stage " + stage + " to stage " + next);
            }
            if (stage == SECURITY && negotiator.negotiated(Keys.AUTH_METHOD) && !authAgreed) {
                throw new LoginException(
                        LoginStatus.AUTHENTICATION_FAILURE,
                        "no offered AuthMethod is accepted by this target");
            }
        }
        return transit;
    }

    /** RFC 7143 §6.1 and §13.4/13.5/13.21: what the first Login Request must carry. */
    private void checkFirstRequest(
            List<Map.Entry<String, String>> pairs, List<Map.Entry<String, String>> answers)
            throws LoginException {
        String sessionType = "Normal";
        String targetName = null;
        for (Map.Entry<String, String> p : pairs) {
            switch (p.getKey()) {
                case Keys.INITIATOR_NAME -> initiatorName = p.getValue();
                case Keys.TARGET_NAME -> targetName = p.getValue();
                case Keys.SESSION_TYPE -> sessionType = p.getValue();
                default -> {}
            }
        }
        if (initiatorName == null || initiatorName.isEmpty()) {
            throw new LoginException(
                    LoginStatus.MISSING_PARAMETER, "the first login request has no InitiatorName");
        }
        if (!sessionType.equals("Normal") && !sessionType.equals("Discovery")) {
            throw new LoginException(
                    LoginStatus.SESSION_TYPE_NOT_SUPPORTED, "SessionType " + sessionType);
        }
        discovery = sessionType.equals("Discovery");
        if (!discovery) {
            if (targetName == null || targetName.isEmpty()) {
                throw new LoginException(
                        LoginStatus.MISSING_PARAMETER, "a normal session needs a TargetName");
            }
            target = portal.target(targetName);
            if (target == null) {
                throw new LoginException(LoginStatus.NOT_FOUND, "no target named " + targetName);
            }
            String refusal = target.access().refusal(initiatorName, peer);
            if (refusal != null) {
                throw new LoginException(LoginStatus.AUTHORIZATION_FAILURE, refusal);
            }
            if (target.alias() != null) {
                answers.add(Map.entry(Keys.TARGET_ALIAS, target.alias()));
            }
        }
        // RFC 7143 §13.9: the first Login Response of a leading login carries the portal group tag
        answers.add(Map.entry(Keys.TARGET_PORTAL_GROUP_TAG, Integer.toString(portalGroupTag)));
    }
}
