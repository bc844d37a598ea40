package org.iscsilab.iscsi.login;

import java.util.List;

/**
 * The declaration of one text key (RFC 7143 §13): its kind, default, numeric range or allowed
 * values, and scope. The negotiation engine works from these declarations alone.
 */
public record TextKey(
        String name,
        KeyKind kind,
        String defaultValue,
        long min,
        long max,
        List<String> values,
        KeyScope scope) {

    public static TextKey list(String name, String def, List<String> values, KeyScope scope) {
        return new TextKey(name, KeyKind.LIST, def, 0, 0, values, scope);
    }

    public static TextKey numeric(
            String name, KeyKind kind, long def, long min, long max, KeyScope scope) {
        return new TextKey(name, kind, Long.toString(def), min, max, List.of(), scope);
    }

    public static TextKey bool(String name, KeyKind kind, boolean def, KeyScope scope) {
        return new TextKey(name, kind, def ? "Yes" : "No", 0, 0, List.of("Yes", "No"), scope);
    }

    public static TextKey declarativeChoice(
            String name, String def, List<String> values, KeyScope scope) {
        return new TextKey(name, KeyKind.DECLARATIVE, def, 0, 0, values, scope);
    }

    public static TextKey declarative(String name, String def, KeyScope scope) {
        return new TextKey(name, KeyKind.DECLARATIVE, def, 0, 0, List.of(), scope);
    }

    public static TextKey declarativeNumber(
            String name, long def, long min, long max, KeyScope scope) {
        return new TextKey(
                name, KeyKind.DECLARATIVE, Long.toString(def), min, max, List.of(), scope);
    }

    public boolean numeric() {
        return kind == KeyKind.NUMERICAL_MIN
                || kind == KeyKind.NUMERICAL_MAX
                || (kind == KeyKind.DECLARATIVE && max > 0);
    }

    public boolean bool() {
        return kind == KeyKind.BOOLEAN_AND || kind == KeyKind.BOOLEAN_OR;
    }

    /**
     * Parses a numeric value: decimal or 0x hexadecimal (RFC 7143 §6.1 decimal- and hex-constant).
     */
    public static long parseNumber(String v) {
        if (v.startsWith("0x") || v.startsWith("0X")) {
            return Long.parseLong(v.substring(2), 16);
        }
        if (v.isEmpty() || v.length() > 19 || !v.chars().allMatch(Character::isDigit)) {
            throw new NumberFormatException("not a number: " + v);
        }
        return Long.parseLong(v);
    }

    /** True when the value is syntactically valid and in range for this key. */
    public boolean valid(String v) {
        if (numeric()) {
            try {
                long n = parseNumber(v);
                return n >= min && n <= max;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        if (bool()) {
            return v.equals("Yes") || v.equals("No");
        }
        if (kind == KeyKind.DECLARATIVE && !values.isEmpty()) {
            return values.contains(v);
        }
        return !v.isEmpty() && v.length() <= 255;
    }
}
