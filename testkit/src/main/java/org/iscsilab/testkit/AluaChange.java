package org.iscsilab.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;

/** The admin API body of a timed access state change, for both controls. */
final class AluaChange {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AluaChange() {}

    static String body(String state, Duration transition, boolean fails) {
        ObjectNode n = JSON.createObjectNode();
        n.put("state", state);
        n.put("transition", transition.toMillis() + "ms");
        n.put("fails", fails);
        return n.toString();
    }
}
