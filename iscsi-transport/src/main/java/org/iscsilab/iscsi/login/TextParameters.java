package org.iscsilab.iscsi.login;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The key=value pairs of a Login or Text data segment (RFC 7143 §6.1): UTF-8, each pair terminated
 * by a NUL byte, in order.
 */
public final class TextParameters {
    public static final int MAX_KEY_LENGTH = 63; // RFC 7143 §6.1

    private TextParameters() {}

    /** A malformed text data segment. */
    public static final class TextFormatException extends Exception {
        private static final long serialVersionUID = 1L;

        public TextFormatException(String message) {
            super(message);
        }
    }

    public static List<Map.Entry<String, String>> decode(byte[] data) throws TextFormatException {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == 0) {
                if (i > start) {
                    pairs.add(pair(new String(data, start, i - start, StandardCharsets.UTF_8)));
                }
                start = i + 1;
            }
        }
        if (start < data.length) {
            throw new TextFormatException("text data does not end with a NUL byte (RFC 7143 §6.1)");
        }
        return pairs;
    }

    private static Map.Entry<String, String> pair(String text) throws TextFormatException {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new TextFormatException("'" + text + "' is not key=value (RFC 7143 §6.1)");
        }
        String key = text.substring(0, eq);
        if (key.length() > MAX_KEY_LENGTH) {
            throw new TextFormatException("key longer than 63 bytes (RFC 7143 §6.1)");
        }
        return Map.entry(key, text.substring(eq + 1));
    }

    public static byte[] encode(List<Map.Entry<String, String>> pairs) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> p : pairs) {
            sb.append(p.getKey()).append('=').append(p.getValue()).append('\0');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
