package org.iscsilab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.iscsilab.server.admin.AdminClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code iscsilab status}: a running target's sessions and LUNs as two tables. */
@Command(
        name = "status",
        description = "Show a running target's sessions and LUNs (through its admin API).")
public final class StatusCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin AdminOption admin;

    @Option(
            names = "--json",
            description = "Print {\"sessions\": [...], \"luns\": [...]} instead of tables.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        AdminClient client = admin.client();
        ObjectMapper mapper = new ObjectMapper();
        JsonNode sessions = mapper.readTree(client.call("GET", "sessions", Map.of(), null));
        JsonNode luns = mapper.readTree(client.call("GET", "luns", Map.of(), null));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode both = mapper.createObjectNode();
            both.set("sessions", sessions);
            both.set("luns", luns);
            out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(both));
            out.flush();
            return CliErrors.SUCCESS;
        }
        out.println(sessions.size() + " session" + (sessions.size() == 1 ? "" : "s"));
        Table s = new Table("TSIH", "INITIATOR", "ISID", "PORTAL", "TARGET");
        for (JsonNode n : sessions) {
            s.row(
                    n.path("tsih").asText(),
                    n.path("initiator").asText(),
                    n.path("isid").asText(),
                    n.path("portal").asText(),
                    n.path("discovery").asBoolean() ? "(discovery)" : n.path("target").asText("-"));
        }
        if (!s.isEmpty()) {
            s.print(out);
        }
        out.println();
        out.println(luns.size() + " LUN" + (luns.size() == 1 ? "" : "s"));
        Table l = LunCommand.table();
        luns.forEach(n -> LunCommand.row(l, n));
        if (!l.isEmpty()) {
            l.print(out);
        }
        out.flush();
        return CliErrors.SUCCESS;
    }
}
