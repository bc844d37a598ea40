package org.iscsilab.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code iscsilab events}: query a running target's event log. */
@Command(
        name = "events",
        mixinStandardHelpOptions = true,
        description =
                "Show the event log of a running target: logins, logouts, commands, task management, faults.")
public final class EventsCommand implements Callable<Integer> {
    @Mixin AdminOption admin;

    @Option(names = "--type", description = "LOGIN, LOGOUT, COMMAND, TASK_MANAGEMENT or FAULT.")
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

    @Override
    public Integer call() throws Exception {
        Map<String, String> q = new LinkedHashMap<>();
        if (type != null) {
            q.put("type", type);
        }
        if (lun != null) {
            q.put("lun", lun.toString());
        }
        if (opcode != null) {
            q.put("opcode", opcode);
        }
        if (initiator != null) {
            q.put("initiator", initiator);
        }
        q.put("limit", Integer.toString(limit));
        System.out.print(admin.client().call("GET", "events", q, null));
        return 0;
    }
}
