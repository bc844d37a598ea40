package org.iscsilab.iscsi.login;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The responder's negotiation engine (RFC 7143 §6.2): answers any offered key from its declaration
 * in {@link Keys} and this side's own values, and remembers the results.
 */
public final class Negotiator implements NegotiationResults {
    public static final String NOT_UNDERSTOOD = "NotUnderstood";
    public static final String REJECT = "Reject";
    public static final String IRRELEVANT = "Irrelevant";

    private final Map<String, String> local;
    private final Map<String, String> results = new HashMap<>();
    private final Map<String, String> declaredByPeer = new HashMap<>();

    /**
     * @param local this side's values; LIST keys as comma-separated preference lists
     */
    public Negotiator(Map<String, String> local) {
        this.local = Map.copyOf(local);
    }

    /**
     * Answers the pairs of one request. Declarative keys are recorded without an answer.
     *
     * @throws LoginException when a key is offered twice (RFC 7143 §6.2: initiator error)
     */
    public List<Map.Entry<String, String>> respond(List<Map.Entry<String, String>> offers)
            throws LoginException {
        List<Map.Entry<String, String>> answers = new ArrayList<>();
        for (Map.Entry<String, String> offer : offers) {
            String name = offer.getKey();
            String value = offer.getValue();
            if (value.equals(NOT_UNDERSTOOD) || value.equals(REJECT) || value.equals(IRRELEVANT)) {
                continue; // answers to our own offers, never offers themselves
            }
            if (value.equals(declaredByPeer.get(name))) {
                // libiscsi repeats InitiatorName and SessionType in its first operational-stage
                // request; re-stating a declaration unchanged negotiates nothing (RFC 7143 §6.2
                // forbids negotiating a key twice), so it is accepted and left unanswered.
                continue;
            }
            if (results.containsKey(name) || declaredByPeer.containsKey(name)) {
                throw new LoginException(
                        LoginStatus.INITIATOR_ERROR, "key " + name + " sent twice (RFC 7143 §6.2)");
            }
            String answer = answer(name, value);
            if (answer != null) {
                answers.add(Map.entry(name, answer));
            }
        }
        return answers;
    }

    private String answer(String name, String value) {
        if (Keys.OBSOLETE_MARKERS.contains(name)) {
            results.put(name, "No");
            return "No"; // RFC 7143 §13.26
        }
        if (Keys.OBSOLETE_MARKER_INTERVALS.contains(name)) {
            results.put(name, REJECT);
            return REJECT;
        }
        TextKey key = Keys.get(name);
        if (key == null) {
            results.put(name, NOT_UNDERSTOOD);
            return NOT_UNDERSTOOD; // RFC 7143 §6.2: unknown keys
        }
        if (key.kind() == KeyKind.DECLARATIVE) {
            if (!key.valid(value)) {
                results.put(name, REJECT);
                return REJECT;
            }
            declaredByPeer.put(name, value);
            return null;
        }
        String mine = local.getOrDefault(name, key.defaultValue());
        String result =
                switch (key.kind()) {
                    case LIST -> pickFromList(value, mine);
                    case NUMERICAL_MIN ->
                            key.valid(value)
                                    ? Long.toString(
                                            Math.min(
                                                    TextKey.parseNumber(value),
                                                    TextKey.parseNumber(mine)))
                                    : REJECT;
                    case NUMERICAL_MAX ->
                            key.valid(value)
                                    ? Long.toString(
                                            Math.max(
                                                    TextKey.parseNumber(value),
                                                    TextKey.parseNumber(mine)))
                                    : REJECT;
                    case BOOLEAN_AND ->
                            key.valid(value)
                                    ? yesNo(value.equals("Yes") && mine.equals("Yes"))
                                    : REJECT;
                    case BOOLEAN_OR ->
                            key.valid(value)
                                    ? yesNo(value.equals("Yes") || mine.equals("Yes"))
                                    : REJECT;
                    case DECLARATIVE -> throw new IllegalStateException("handled above");
                };
        results.put(name, result);
        return result;
    }

    /** RFC 7143 §6.2.1: the first offered value this side supports, else Reject. */
    private static String pickFromList(String offered, String mine) {
        List<String> supported = List.of(mine.split(","));
        for (String v : offered.split(",")) {
            if (supported.contains(v)) {
                return v;
            }
        }
        return REJECT;
    }

    private static String yesNo(boolean b) {
        return b ? "Yes" : "No";
    }

    /** Negotiated results; a key never offered keeps its default (RFC 7143 §13). */
    @Override
    public String result(String name) {
        String r = results.get(name);
        if (r == null || r.equals(REJECT) || r.equals(NOT_UNDERSTOOD)) {
            return Keys.get(name).defaultValue();
        }
        return r;
    }

    public boolean negotiated(String name) {
        return results.containsKey(name);
    }

    /** A value the peer declared (InitiatorName, MaxRecvDataSegmentLength, ...), or null. */
    @Override
    public String declared(String name) {
        return declaredByPeer.get(name);
    }

    public String local(String name) {
        return local.getOrDefault(name, Keys.get(name).defaultValue());
    }
}
