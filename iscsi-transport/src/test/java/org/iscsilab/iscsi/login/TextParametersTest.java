package org.iscsilab.iscsi.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Text data segments are NUL-terminated key=value pairs (RFC 7143 §6.1). */
class TextParametersTest {
    @Test
    void encodesAndDecodesInOrder() throws Exception {
        List<Map.Entry<String, String>> pairs =
                List.of(Map.entry("A", "1"), Map.entry("TargetAddress", "[::1]:3260,1"));
        assertEquals(pairs, TextParameters.decode(TextParameters.encode(pairs)));
    }

    @Test
    void textWithoutTheFinalNulIsRefused() {
        assertThrows(
                TextParameters.TextFormatException.class,
                () -> TextParameters.decode("A=1\0B=2".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aPairWithoutEqualsIsRefused() {
        assertThrows(
                TextParameters.TextFormatException.class,
                () -> TextParameters.decode("JustAKey\0".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void keysLongerThan63BytesAreRefused() {
        assertThrows(
                TextParameters.TextFormatException.class,
                () ->
                        TextParameters.decode(
                                ("K".repeat(64) + "=1\0").getBytes(StandardCharsets.UTF_8)));
    }
}
