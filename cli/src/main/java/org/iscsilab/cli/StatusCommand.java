package org.iscsilab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.concurrent.Callable;
import org.iscsilab.core.store.Sizes;
import org.iscsilab.server.admin.AdminClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code iscsilab status}: a running target's sessions and LUNs as two tables. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Show a running target's sessions and LUNs (through its admin API).")
public final class StatusCommand implements Callable<Integer> {
    @Mixin AdminOption admin;

    @Override
    public Integer call() throws Exception {
        AdminClient client = admin.client();
        ObjectMapper json = new ObjectMapper();
        JsonNode sessions = json.readTree(client.call("GET", "sessions", Map.of(), null));
        JsonNode luns = json.readTree(client.call("GET", "luns", Map.of(), null));

        System.out.printf("%d session%s%n", sessions.size(), sessions.size() == 1 ? "" : "s");
        if (sessions.size() > 0) {
            String row = "  %-6s %-44s %-14s %-22s %s%n";
            System.out.printf(row, "TSIH", "INITIATOR", "ISID", "PORTAL", "TARGET");
            for (JsonNode s : sessions) {
                System.out.printf(
                        row,
                        s.path("tsih").asText(),
                        s.path("initiator").asText(),
                        s.path("isid").asText(),
                        s.path("portal").asText(),
                        s.path("discovery").asBoolean()
                                ? "(discovery)"
                                : s.path("target").asText("-"));
            }
        }
        System.out.println();
        System.out.printf("%d LUN%s%n", luns.size(), luns.size() == 1 ? "" : "s");
        if (luns.size() > 0) {
            String row = "  %-4s %-12s %-6s %-14s %-18s %s%n";
            System.out.printf(row, "LUN", "SIZE", "BLOCK", "SERIAL", "FLAGS", "STORE");
            for (JsonNode l : luns) {
                StringBuilder flags = new StringBuilder();
                flag(flags, l.path("readOnly").asBoolean(), "ro");
                flag(flags, l.path("thin").asBoolean(), "thin");
                flag(flags, l.path("removable").asBoolean(), "removable");
                flag(
                        flags,
                        l.has("mediumPresent") && !l.path("mediumPresent").asBoolean(),
                        "no-medium");
                System.out.printf(
                        row,
                        l.path("lun").asText(),
                        Sizes.format(l.path("bytes").asLong()),
                        l.path("blockSize").asText(),
                        l.path("serial").asText(),
                        flags.length() == 0 ? "-" : flags.toString(),
                        l.path("store").asText());
            }
        }
        return 0;
    }

    private static void flag(StringBuilder sb, boolean on, String name) {
        if (on) {
            sb.append(sb.length() == 0 ? "" : ",").append(name);
        }
    }
}
