package org.iscsilab.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.iscsi.node.IscsiNames;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.server.admin.AdminClient;
import org.iscsilab.server.admin.EventJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code iscsilab events}: query a running target's event log. */
@Command(
        name = "events",
        description =
                "Show the event log of a running target: logins, logouts, commands, task management, faults.")
public final class EventsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin AdminOption admin;

    @Option(
            names = "--type",
            description = "LOGIN, LOGOUT, COMMAND, TASK_MANAGEMENT, FAULT or ALUA.")
    String type;

    @Option(names = "--lun", description = "Only this LUN.")
    Integer lun;

    @Option(names = "--opcode", description = "Only this operation code, e.g. 0x35.")
    String opcode;

    @Option(names = "--initiator", description = "Only this initiator name.")
    String initiator;

    @Option(
            names = "--limit",
            description = "At most this many, the newest (default ${DEFAULT-VALUE}).")
    int limit = 100;

    @Option(names = "--json", description = "Print the API's JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Map<String, String> q = new LinkedHashMap<>();
        if (type != null) {
            try {
                q.put("type", EventLog.Type.valueOf(type.toUpperCase(Locale.ROOT)).name());
            } catch (IllegalArgumentException e) {
                throw new CliErrors.UsageException(
                        "--type "
                                + type
                                + ": use LOGIN, LOGOUT, COMMAND, TASK_MANAGEMENT, FAULT or ALUA");
            }
        }
        if (lun != null) {
            if (lun < 0 || lun > LunAddress.MAX_LUN) {
                throw new CliErrors.UsageException(
                        "--lun " + lun + ": a LUN is 0 to " + LunAddress.MAX_LUN);
            }
            q.put("lun", lun.toString());
        }
        if (opcode != null) {
            int op;
            try {
                op = Integer.decode(opcode);
            } catch (NumberFormatException e) {
                op = -1;
            }
            if (op < 0 || op > 0xFF) {
                throw new CliErrors.UsageException(
                        "--opcode " + opcode + ": an operation code is 0 to 0xFF, e.g. 0x35");
            }
            q.put("opcode", Integer.toString(op));
        }
        if (initiator != null) {
            try {
                IscsiNames.validate(initiator);
            } catch (IllegalArgumentException e) {
                throw new CliErrors.UsageException(
                        "--initiator " + initiator + ": " + e.getMessage());
            }
            q.put("initiator", initiator);
        }
        if (limit < 0) {
            throw new CliErrors.UsageException(
                    "--limit " + limit + ": give 0 (counts only) or more");
        }
        q.put("limit", Integer.toString(limit));
        AdminClient client = admin.client();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.print(client.call("GET", "events", q, null));
            out.flush();
            return CliErrors.SUCCESS;
        }
        AdminClient.Events events = client.events(q);
        out.println(
                events.matching()
                        + " matching of "
                        + events.recorded()
                        + " recorded"
                        + (events.matching() > events.events().size()
                                ? ", the newest " + events.events().size()
                                : ""));
        Table t = new Table("SEQ", "TIME", "TYPE", "INITIATOR", "LUN", "WHAT");
        for (EventLog.Event e : events.events()) {
            t.row(
                    e.sequence(),
                    EventJson.time(e),
                    e.type(),
                    e.initiator(),
                    e.lun() < 0 ? "-" : e.lun(),
                    EventJson.summary(e));
        }
        if (!t.isEmpty()) {
            t.print(out);
        }
        out.flush();
        return CliErrors.SUCCESS;
    }
}
