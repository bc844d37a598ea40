package org.iscsilab.iscsi.login;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The originator's side of a negotiation (RFC 7143 §6.2): the keys it offers, and a check of each
 * answer against the offer's selection rule before it becomes the result.
 */
public final class Offer implements NegotiationResults {
    private final Map<String, String> offered = new HashMap<>();
    private final Map<String, String> results = new HashMap<>();
    private final Map<String, String> declaredByPeer = new HashMap<>();

    public Offer put(String key, String value) {
        offered.put(key, value);
        return this;
    }

    public List<Map.Entry<String, String>> pairs(List<String> keys) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (String k : keys) {
            if (offered.containsKey(k)) {
                out.add(Map.entry(k, offered.get(k)));
            }
        }
        return out;
    }

    /** Takes the responder's answers; throws when an answer breaks the key's rule. */
    public void accept(List<Map.Entry<String, String>> answers) throws LoginException {
        for (Map.Entry<String, String> a : answers) {
            String key = a.getKey();
            String value = a.getValue();
            TextKey decl = Keys.get(key);
            if (decl == null
                    || value.equals(Negotiator.NOT_UNDERSTOOD)
                    || value.equals(Negotiator.IRRELEVANT)) {
                continue;
            }
            if (decl.kind() == KeyKind.DECLARATIVE) {
                declaredByPeer.put(key, value);
                continue;
            }
            String mine = offered.get(key);
            if (mine == null || value.equals(Negotiator.REJECT)) {
                continue; // not ours to judge, or refused: the default stays
            }
            if (!answerFits(decl, mine, value)) {
                throw new LoginException(
                        LoginStatus.INITIATOR_ERROR,
                        "answer "
                                + key
                                + "="
                                + value
                                + " does not fit the offer "
                                + mine
                                + " (RFC 7143 §6.2)");
            }
            results.put(key, value);
        }
    }

    private static boolean answerFits(TextKey decl, String offer, String answer) {
        return switch (decl.kind()) {
            case LIST -> List.of(offer.split(",")).contains(answer);
            case NUMERICAL_MIN ->
                    decl.valid(answer) && TextKey.parseNumber(answer) <= TextKey.parseNumber(offer);
            case NUMERICAL_MAX ->
                    decl.valid(answer) && TextKey.parseNumber(answer) >= TextKey.parseNumber(offer);
            case BOOLEAN_AND -> decl.valid(answer) && (offer.equals("Yes") || answer.equals("No"));
            case BOOLEAN_OR -> decl.valid(answer) && (offer.equals("No") || answer.equals("Yes"));
            case DECLARATIVE -> true;
        };
    }

    @Override
    public String result(String key) {
        String r = results.get(key);
        return r != null ? r : Keys.get(key).defaultValue();
    }

    @Override
    public String declared(String key) {
        return declaredByPeer.get(key);
    }
}
